"""Column balancing as WeasyPrint 70 does it, in fewer layouts.

WeasyPrint balances the columns of a page by laying them out again and
again: from the average height, it adds the least space it saw the next
block need (1px while it saw none, as for a heading kept with its
paragraph), until the content fits. The last page of a two-column article
can take a dozen or more layouts of both columns, a pixel or two apart,
most of them ending every column at the same place: that was most of the
time the preview waited for after an edit.

The search here reaches the same height with fewer layouts. While the
columns end where they did, every run fills them to the same heights and
meets the same next blocks, so WeasyPrint's next steps follow by arithmetic
alone. Only the first of those trial heights at which a column ends
elsewhere needs layouts to be found: the next trial first (most often
the one), then 8 trials ahead, doubling, then bisect back. More height never makes a column end earlier,
which is what makes bisecting sound. The page is then laid out at that
height by the same run WeasyPrint makes there, so the PDFs are byte for
byte those of WeasyPrint's own search: tests/test_reproducible.py lays out
the issue's articles, and variants that move their line breaks, both ways.

WeasyPrint's search is a loop inside `columns_layout`, with no hook. The
function used here is WeasyPrint's own `columns_layout`, compiled from its
source with the few changes in CHANGES below (the loop body becomes `run()`,
which also says where each column ended, and the next height comes from
`_next_change`), so no line of WeasyPrint's is copied here. press/patches.py
checks, before anything is patched, that the source is the one these changes
were written for (WeasyPrint 70.0).
"""

from __future__ import annotations

import linecache
import math
from dataclasses import dataclass
from math import inf


def install() -> None:
    """Use this search for every multi-column box (WeasyPrint already imported)."""
    from weasyprint.layout import block, column

    block.columns_layout = _changed(column)


# WeasyPrint 70's columns_layout → press's: (its lines, these lines), each found exactly once.
CHANGES = (
    # The loop body becomes a function of the trial height...
    ("""        while True:
            # Remove extra excluded shapes introduced during the previous loop
""", """        def run(height):
            # Remove extra excluded shapes introduced during the previous loop
"""),
    # ...that also records where each column ends, and what sets the lost space.
    ("""            new_boxes = []
            for i in range(count):
""", """            new_boxes = []
            breaks, measures = [], []
            lost_space, next_page = inf, None
            for i in range(count):
"""),
    ("""                    column_skip_stack = {0: None}
                    break
""", """                    column_skip_stack = {0: None}
                    breaks.append(None)
                    break
"""),
    ("""                new_boxes.append(new_box)
                column_skip_stack = resume_at
""", """                new_boxes.append(new_box)
                column_skip_stack = resume_at
                breaks.append(resume_at)
"""),
    ("""                    empty_space = height - consumed_height
                    consumed_height -= in_flow_children[-1].margin_bottom
""", """                    empty_space = height - consumed_height
                    raw_consumed_height = consumed_height
                    consumed_height -= in_flow_children[-1].margin_bottom
"""),
    ("""                        remove_placeholders(context, [next_box], [], [])
""", """                        remove_placeholders(context, [next_box], [], [])
                    measures.append((raw_consumed_height, next_box_height))
"""),
    # The loop calls it, at most once per height: _next_change may have made the run already.
    ("""            remove_placeholders(context, new_boxes, [], [])
""", """            remove_placeholders(context, new_boxes, [], [])
            return _Run(column_skip_stack, consumed_heights, next_page, lost_space, last_footnotes_height,
                        breaks, measures)

        done = None
        while True:
            result, done = done or run(height), None
            column_skip_stack, consumed_heights = result.skip_stack, result.consumed_heights
            next_page = result.next_page
            last_footnotes_height = result.footnotes_height
            lost_space = min(lost_space, result.lost_space)
"""),
    # Straight to the next height at which a column ends elsewhere.
    ("""                add_height = 1 if lost_space == inf else lost_space
                height += add_height
""", """                height, lost_space, done = _next_change(run, result, height, lost_space, max_height)
"""),
)


def _changed(column):
    """WeasyPrint's columns_layout with CHANGES made, compiled in its own module's namespace
    (its relative imports and helpers are WeasyPrint's)."""
    from . import patches

    source = patches.source(column.columns_layout)
    for old, new in CHANGES:
        if source.count(old) != 1:  # press/patches.py has checked the source: this is a bug here
            raise AssertionError(f"press.balancing: a change does not apply to columns_layout: {old!r}")
        source = source.replace(old, new)
    filename = "<press.balancing: weasyprint.layout.column.columns_layout, changed>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # readable tracebacks
    namespace = {**vars(column), "_Run": _Run, "_next_change": _next_change}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (WeasyPrint's own, fingerprinted source)
    return namespace["columns_layout"]


@dataclass
class _Run:
    """One layout of the columns at a trial height."""

    skip_stack: dict | None  # where the content resumes after the last column
    consumed_heights: list[float]
    next_page: dict
    lost_space: float  # the least height that would let one more block into a column, or inf
    footnotes_height: float
    breaks: list  # where each column ends
    measures: list[tuple[float, float]]  # per column with content: its filled height, its next block's height


def _next_change(run, base: _Run, height: float, lost_space: float,
                 max_height: float) -> tuple[float, float, _Run | None]:
    """WeasyPrint's next trial height, after the runs that would end every column where
    `base` (the run at `height`) ends them; and the lost space it would know by then.

    WeasyPrint steps by the lost space (1px while it knows none) and takes the least of
    every run's. While the columns end where they do, each run fills them to the same
    heights and meets the same next blocks, so its steps can be worked out without
    laying anything out; only the run at which a column ends elsewhere must be found,
    by layout: galloping ahead, then bisecting."""
    heights, losts = [height], [lost_space]
    while heights[-1] <= max_height:
        step = 1 if losts[-1] == inf else losts[-1]
        next_height, lost = heights[-1] + step, losts[-1]
        for consumed, next_box_height in base.measures:
            empty_space = next_height - consumed  # the very operations of WeasyPrint's run
            if next_box_height - empty_space > 1:
                lost = min(lost, next_box_height - empty_space)
        heights.append(next_height)
        losts.append(lost)
    last = len(heights) - 2  # the last trial within max_height
    probes: dict[int, _Run] = {}

    def same(n: int) -> bool:
        probes[n] = trial = run(heights[n])
        return (trial.breaks, trial.measures) == (base.breaks, base.measures)

    # Most often the very next trial differs: try it first, then gallop from 8 trials ahead.
    low, high, ahead = 0, None, 1  # the columns end as in `base` at trial `low`, elsewhere at `high`
    while high is None:
        if low >= last:
            return heights[last + 1], losts[last], None
        trial = min(low + ahead, last)
        if same(trial):
            low, ahead = trial, 8 if ahead == 1 else ahead * 2
        else:
            high = trial
    while high - low > 1:
        middle = (low + high) // 2
        if same(middle):
            low = middle
        else:
            high = middle
    # WeasyPrint's run at the chosen height is the last before the page is laid out: when the
    # last probe was made there, it is that run; otherwise it must be made again.
    last_probe = next(reversed(probes))
    return heights[high], losts[high - 1], probes[high] if last_probe == high else None


# ---------- an article's ending, evened by a line more or fewer ----------

def even_endings(document, root, render, anchors=None):
    """Where an article ends part-way down a page with its columns more than a line apart, try
    what a compositor would, and keep a layout that ends them within a line of each other
    without a page more and without unevening another ending:

    - a float at the break between the columns (the right column longer and starting with a
      table or figure that did not fit under the left column's text at the balanced height,
      or the left one longer and ending with one): the float goes after the text that follows
      it (press.makeup's move), which then fills the left column;
    - a float at the break that did not go after the next paragraph goes after the article's
      source line: on the last page a tall picture (a portrait photo) then stands in one column
      and the text, with its source, in the other (2020-09 deep-sea: 11 lines apart before).
      Where the picture's column is then the longer, the picture is set smaller, by a fifth of
      its height at most (_shrink); where the text's is, only a line fewer can help, and only a
      line more where the picture's is;
    - a paragraph of that page or the one before a line looser, or else tighter
      (press/paragraphs.py's looseness): WeasyPrint balances with orphans and widows of 2, so
      a last paragraph of 5 lines can leave a column 2 lines longer whichever way it breaks; a
      line more or fewer lets the break fall a line earlier or later. Which paragraphs can be
      is asked of the composer (press.paragraphs.stretch, as press.makeup asks for its holes),
      then each of those is tried alone, from the last, three at most.

    - a picture beside the longer text set larger, or set where it is called (_grown,
      _set_earlier), and a picture near an ending set a line smaller or larger
      (_even_by_a_picture): TRIALS layouts a part at most between them.

    The document is returned as it was when nothing does."""
    from .makeup import _heights, _holes, _move_after_text, _move_to_end, _parents, _pushed, _read, is_float
    from .paragraphs import LOOSENESS, stretch

    def better(trial, body) -> bool:
        """No page more, this ending even, fewer uneven ones, and no float newly pushed (a float
        moved to a column's top must not read as one that did not fit below the text before)."""
        after, now, parents = _read(trial), _read(document), _parents(root)
        return len(trial.pages) == len(document.pages) and not any(b is body for b, *_ in _uneven(after)) \
            and len(list(_uneven(after))) < len(list(_uneven(now))) \
            and len(list(_pushed(after, parents))) <= len(list(_pushed(now, parents)))

    def nearer(after, body, page) -> float:
        """How far apart the ending's columns end in `after` (inf: a page more or fewer, another
        ending uneven, a float pushed)."""
        now, parents = _read(document), _parents(root)
        if len(after.document.pages) != len(document.pages) \
                or len(list(_uneven(after))) > len(list(_uneven(now))) \
                or len(list(_pushed(after, parents))) > len(list(_pushed(now, parents))):
            return inf
        columns = [c for c in after.columns if c.body is body and c.page == page]
        if len(columns) != 2 or not all(c.blocks for c in columns):
            return inf
        return abs(_end(columns[1]) - _end(columns[0]))

    spare = [TRIALS]

    def trial_layout():
        """A layout for the trials of where and how large a picture is set, while TRIALS last."""
        if spare[0] <= 0:
            return None
        spare[0] -= 1
        return render()

    waiting = []  # (body, paragraphs, the changes that may help) of the endings a line more or fewer may even
    for body, page, candidates in list(_uneven(_read(document))):
        layout = _read(document)
        left, right = (c for c in layout.columns if c.body is body and c.page == page)
        if _end(right) > _end(left):
            at_break = next((e for e, *_ in right.blocks if e.tag not in ("h2", "h3", "h4")), None)
        else:  # the last block with a height (a table's notes after it have none)
            at_break = next((e for e, top, bottom, _ in reversed(left.blocks) if bottom - top > 0.5), None)
        if at_break is not None and is_float(at_break):
            parents = _parents(root)
            parent = parents[id(at_break)]
            order = list(parent)
            if _move_after_text(at_break, parents, layout.line_height, _heights(layout)):
                trial = render()
                if better(trial, body):
                    document = trial
                    continue
                parent[:] = order
            # Or at the article's end, after its source line: a tall float (a portrait photo) then
            # stands in one column and the text, with its source, in the other, as a compositor
            # sets a closing picture. Kept when it brings the columns at least 2 lines nearer,
            # without a hole more: a line more or fewer may then even them (below).
            if _move_to_end(at_break, parents):
                trial = render()
                after = _read(trial)
                if better(trial, body):
                    document = trial
                    continue
                if nearer(after, body, page) <= abs(_end(right) - _end(left)) - 2 * layout.line_height \
                        and len(_holes(after, lines=True)) <= len(_holes(layout, lines=True)):
                    document, layout = trial, after
                    left, right = (c for c in layout.columns if c.body is body and c.page == page)
                    shrunk = _shrink(at_break, left, right, layout.line_height)
                    if shrunk is not None:
                        trial = render()
                        if better(trial, body):
                            document = trial
                            continue
                        shrunk()
                        layout = _read(document)
                        left, right = (c for c in layout.columns if c.body is body and c.page == page)
                else:
                    parent[:] = order
            # Or earlier, where it is called: the text that follows it then flows past it.
            if all(a is b for a, b in zip(parent, order)):
                trial = _set_earlier(document, trial_layout, at_break, layout, body, page, anchors or {}, root)
                if trial is not None:
                    document = trial
                    continue
        # A picture set after the text, beside the longer text: set larger where its print
        # resolution allows, or at the top of an earlier column (where it is called, or the
        # ending page's first); a line more or fewer may then even what is left (below).
        closing = next((c for c in (left, right) if _ends_body(c)), None)
        text = right if closing is left else left
        if closing is not None and _end(text) - _end(closing) > layout.line_height + 0.5:
            figure = closing.blocks[-1][0]
            trial = _grown(document, trial_layout, figure, closing, text, layout.line_height, body, root)
            if trial is None:
                trial = _set_earlier(document, trial_layout, figure, layout, body, page, anchors or {}, root)
            if trial is not None:
                document = trial
                continue
        # A line more or fewer moves the break by a line: no help to columns further apart.
        # A paragraph the make-up has set a line looser or tighter already (to fill a hole) keeps it.
        if abs(_end(right) - _end(left)) / layout.line_height <= 3.5:
            # Beside a picture that ends its column (one set after the text), a line more
            # lengthens the text column, a line fewer shortens it: only one way can help.
            changes = {+1, -1}
            for longer, shorter in ((left, right), (right, left)):
                if _end(longer) > _end(shorter):
                    if _ends_body(shorter):
                        changes = {-1}
                    elif _ends_body(longer):
                        changes = {+1}
            waiting.append((body, [e for e in candidates if not e.get(LOOSENESS)], changes))
    for change in (+1, -1):
        if not waiting:
            break
        if not any(change in changes and candidates for _, candidates, changes in waiting):
            continue
        # A paragraph takes `change` lines more where the composer sets it so within its tolerance,
        # its lines depending on the column's width alone. This was a layout with every candidate
        # asking, its lines counted (2020-02 global-fight: 0.06 CPU-s), which found the same ones in
        # the sample issues; each is tried by a layout all the same.
        plans = _read(document).plans()
        still = []
        for body, candidates, changes in waiting:
            if change not in changes:
                still.append((body, candidates, changes))
                continue
            able = [e for e in candidates if stretch(plans, e, change) is not None]
            for element in reversed(able[-3:]):
                element.set(LOOSENESS, str(change))
                trial = render()
                if better(trial, body):
                    document = trial
                    break
                element.attrib.pop(LOOSENESS, None)
            else:
                still.append((body, candidates, changes))
        waiting = still
    # No paragraph could: a picture near the ending set a line smaller or larger moves the text
    # as a line fewer or more would.
    for body, _, _ in waiting:
        document = _even_by_a_picture(document, trial_layout, body, root)
    return document


def _even_by_a_picture(document, render, body, root):
    """An ending that no paragraph a line looser or tighter evens: one of the article's last two
    pictures on its last page or the page before set a line smaller, a line larger, or two lines
    smaller (_resize: within SHRINK and GROW, never under PRINT_PPI). The first layout that
    evens it (_no_worse), or `document` as it was."""
    from .makeup import _read, is_float

    layout = _read(document)
    columns = [c for c in layout.columns if c.body is body]
    page = max(c.page for c in columns)
    pictures = list(dict.fromkeys(e for c in columns if c.page >= page - 1 for e, *_ in c.blocks
                                  if e.tag == "figure" and is_float(e) and next(e.iter("img"), None) is not None))
    for figure in pictures[-2:]:
        trial = _sized(figure, layout, (-1, +1, -2), render, lambda t: _no_worse(t, document, body, root))
        if trial is not None:
            return trial
    return document


def _sized(figure, layout, steps, render, good):
    """The first layout with `figure` set each of `steps` lines smaller or larger in turn
    (_resize) that `good` takes; None if none does, each size undone (or no trial is left)."""
    for lines in steps:
        undo = _resize(figure, layout, lines * layout.line_height)
        if undo is None:
            continue
        trial = render()
        if trial is not None and good(trial):
            return trial
        undo()
        if trial is None:  # no trial left
            return None
    return None


SHRINK = 0.8  # a picture set smaller to even an ending: at least this share of its height
TRIALS = 8  # layouts a part's trials of where and how large a picture is set may take, at most
GROW = 1.1  # a picture set larger to even an ending: at most this share of its height...
PRINT_PPI = 300  # ...and never below the press PDF's resolution (press/preflight.py)


def _shrink(figure, left, right, line_height: float):
    """A picture that ends the longer column of an ending set smaller, by what that column
    passes the other less half a line (SHRINK of its height at least), its caption as it was:
    how to take it back, or None when it is not the longer column's last block or it would
    have to shrink more."""
    longer, shorter = (left, right) if _end(left) > _end(right) else (right, left)
    if not longer.blocks or longer.blocks[-1][0] is not figure:
        return None
    image = next(figure.iter("img"), None)
    box = next((b for b in _boxes(longer.blocks[-1][3]) if getattr(b, "element", None) is image), None)
    if image is None or box is None:
        return None
    height = box.height
    cut = _end(longer) - _end(shorter) - line_height / 2
    if cut <= 0 or height - cut < SHRINK * height:
        return None
    from .makeup import _restyle

    return _restyle(image, f"max-height: {height - cut:.2f}px;")


def _no_worse(trial, document, body, root) -> bool:
    """`trial` evens this ending and no other gets uneven (even_endings' rule), with no page
    more, no float pushed, no hole and no short tail more than `document`."""
    from .makeup import _holes, _parents, _pushed, _read, _tail

    after, now = _read(trial), _read(document)
    parents = _parents(root)
    return len(trial.pages) == len(document.pages) and not any(b is body for b, *_ in _uneven(after)) \
        and len(list(_uneven(after))) < len(list(_uneven(now))) \
        and len(list(_pushed(after, parents))) <= len(list(_pushed(now, parents))) \
        and len(_holes(after, lines=True)) <= len(_holes(now, lines=True)) \
        and (_tail(after) is None or _tail(now) is not None)


def _grown(document, render, figure, closing, text, line_height: float, body, root):
    """A picture that ends the shorter column beside the text set larger (_resize), so that it
    ends within a line of the text: the document laid out so, or None (the picture as it was)."""
    short = _end(text) - _end(closing)
    undo = _resize(figure, _read_layout(document), short - line_height / 2, least=short - line_height)
    if undo is None:
        return None
    trial = render()
    if trial is not None and _no_worse(trial, document, body, root):
        return trial
    undo()
    return None


def _resize(figure, layout, change: float, least: float | None = None):
    """The picture of `figure` set `change` px taller (or shorter), as a compositor sizes a
    photo to a depth: between SHRINK and GROW of its height as the style sheet set it, and
    never larger below PRINT_PPI as placed; a picture that would pass the column's measure is cropped
    at its sides (object-fit: cover), a narrower one keeps its shape. When `least` is given,
    a smaller change down to it will do. How to take it back, or None where it cannot be."""
    image = next(figure.iter("img"), None)
    found = next(((b, block) for c in layout.columns for e, _, _, block in c.blocks if e is figure
                  for b in _boxes(block) if getattr(b, "element", None) is image), None)
    if image is None or found is None:
        return None
    box, block = found
    replacement = getattr(box, "replacement", None)
    if not getattr(replacement, "width", 0) or not box.height:
        return None
    def ppi(width: float, height: float) -> float:  # as placed: CSS px are 1/96 in
        return 96 / max(width / replacement.width, height / replacement.height)

    natural = float(image.get(NATURAL) or box.height)
    height = min(max(box.height + change, SHRINK * natural), GROW * natural)
    width = min(block.width, box.width * height / box.height)
    if height > box.height and ppi(width, height) < PRINT_PPI:
        # Only as much larger as the resolution allows (a smaller picture never lowers it).
        height = max(box.height, min(height, 96 * replacement.height / PRINT_PPI))
        width = min(block.width, box.width * height / box.height)
        if ppi(width, height) < PRINT_PPI - 0.01:
            return None
    moved = height - box.height
    if abs(moved) < 0.5 or (least is not None and moved < least) or (least is None and (moved > 0) != (change > 0)):
        return None
    from .makeup import _restyle

    image.set(NATURAL, f"{natural:.2f}")
    return _restyle(image, f"width: {width:.2f}px; height: {height:.2f}px; max-width: none; "
                    "max-height: none; object-fit: cover;")


NATURAL = "data-natural-height"  # a resized picture's height as the style sheet set it (CSS px)


def _read_layout(document):
    from .makeup import _read
    return _read(document)


def _set_earlier(document, render, figure, layout, body, page: int, anchors: dict, root):
    """A picture set after the text, beside the longer text, set instead at the top of the
    column where it is called (after the floats before it: floats keep their order), or of the
    next, or of the ending page's first column: the text then flows past it and WeasyPrint
    balances the last page. Where the first such place leaves the ending nearly even, the
    picture set a line or two smaller, or a line larger, moves the text by a line, as a line
    more or fewer would (deep-sea.en: WeasyPrint's orphans and widows of 2 keep the break
    two lines off). The first layout that evens the ending (_no_worse), or None, the picture
    back where and as it was."""
    from .makeup import _parents, is_float

    parent = _parents(root)[id(figure)]
    order = list(parent)
    at = next(i for i, e in enumerate(order) if e is figure)
    after_floats = max((i for i, e in enumerate(order[:at]) if is_float(e)), default=-1) + 1
    columns = [c for c in layout.columns if c.body is body]
    called = anchors.get(id(figure))
    first = next((k for k, c in enumerate(columns) if any(e is called for e, *_ in c.blocks)), None)
    wanted = ([first, first + 1] if first is not None else []) + \
        [next(k for k, c in enumerate(columns) if c.page == page)]
    tried, resized = set(), False
    for k in wanted:
        if k >= len(columns):
            continue
        before = {id(e) for c in columns[:k] for e, *_ in c.blocks}
        starting = next((e for e, *_ in columns[k].blocks if id(e) not in before), None)
        index = next((i for i, e in enumerate(order) if e is starting), None)
        if index is None:
            continue
        index = max(index, after_floats)
        if index >= at or index in tried:
            continue
        tried.add(index)
        tail = figure.tail
        parent.remove(figure)
        parent.insert(index, figure)
        figure.tail = tail
        trial = render()
        if trial is None:  # no trial left
            parent[:] = order
            return None
        if _no_worse(trial, document, body, root):
            return trial
        after = _read_layout(trial)
        if not resized and _nearly(after, _read_layout(document), body, root):
            resized = True
            sized = _sized(figure, after, (-1, -2, +1), render, lambda t: _no_worse(t, document, body, root))
            if sized is not None:
                return sized
        parent[:] = order
    return None


def _nearly(after, now, body, root) -> bool:
    """`after` leaves `body`'s ending within 3.5 lines (a line more or fewer may even it),
    with no page, pushed float, hole or short tail more than `now`."""
    from .makeup import _holes, _parents, _pushed, _tail

    parents = _parents(root)
    mine = [c for c in after.columns if c.body is body]
    page = max(c.page for c in mine)
    ending = [c for c in mine if c.page == page]
    return len(after.document.pages) == len(now.document.pages) and len(ending) == 2 \
        and all(c.blocks for c in ending) and abs(_end(ending[0]) - _end(ending[1])) <= 3.5 * after.line_height \
        and len(list(_pushed(after, parents))) <= len(list(_pushed(now, parents))) \
        and len(_holes(after, lines=True)) <= len(_holes(now, lines=True)) \
        and (_tail(after) is None or _tail(now) is not None)


def _ends_body(column) -> bool:
    """Whether a column ends with a float that is the last block of its article's body."""
    if not column.blocks:
        return False
    element = column.blocks[-1][0]
    return element.tag in ("figure", "table") and len(column.body) > 0 and column.body[-1] is element


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def ending_warnings(layout, root) -> list:
    """A make-up Diagnostic for each article whose columns still end more than a line apart
    part-way down its last page, about the block at the break between the columns."""
    from .makeup import Diagnostic, _parents, _source, _text

    parents = _parents(root)
    found = []
    for body, page, _ in _uneven(layout):
        left, right = (c for c in layout.columns if c.body is body and c.page == page)
        apart = (_end(right) - _end(left)) / layout.line_height
        # The right column longer: its first block could not go to the left one (a float too
        # tall for the balanced column, or a heading with the lines kept with it). The left one
        # longer: its last block with a height (a note's marker after it has none, nor a line).
        block = right.blocks[0][0] if apart > 0 else \
            next((e for e, top, bottom, _ in reversed(left.blocks) if bottom - top > 0.5), left.blocks[-1][0])
        closing = next((c for c in (left, right) if _ends_body(c)), None)
        if closing is not None:  # a float set after the text (even_endings): the text beside it is the matter
            block = closing.blocks[-1][0]
        what = {"figure": "figure", "table": "table", "h2": "heading", "h3": "heading"}.get(block.tag, "paragraph")
        if closing is not None:
            text_longer = _end(closing) < _end(right if closing is left else left)
            lines = math.ceil(abs(apart) - 1)
            advice = (f"this {what} stands at the break between the columns, set after the text, and ends "
                      f"{'above' if text_longer else 'below'} the text beside it; no paragraph there could be set "
                      f"a line {'tighter' if text_longer else 'looser'} to even them: "
                      f"{'shorten' if text_longer else 'lengthen'} the article's last paragraphs by {lines} line(s)")
        elif what in ("figure", "table"):
            advice = (f"this {what} stands at the break between the columns, and neither moving it after the "
                      "text that follows nor a paragraph a line tighter or looser evens them: make it smaller, or "
                      "move it a paragraph or two earlier")
        else:
            advice = (f"this {what} stands at the break between the columns, and no paragraph there could be set "
                      "a line tighter or looser to even them: lengthen or shorten the article's last paragraphs by a line")
        found.append(Diagnostic(page, _text(block), f"the article's columns end {abs(apart):.1f} lines apart on its "
                                f"last page: {advice}", *_source(block, parents), "layout.unbalanced"))
    return found


def _uneven(layout):
    """(body, its last page, the paragraphs on that page and the one before) of each article whose
    two columns end more than a line apart part-way down its last page."""
    last: dict = {}
    for column in layout.columns:
        last.setdefault(id(column.body), []).append(column)
    from .makeup import TAIL_LINES, _body_lines

    for columns in last.values():
        page = max(c.page for c in columns)
        on_page = [c for c in columns if c.page == page]
        if len(on_page) != 2 or not all(c.blocks for c in on_page):
            continue
        if page > min(c.page for c in columns) and _body_lines(on_page) < TAIL_LINES:
            continue  # a short tail: the make-up's to mend, and to warn of
        ends = [_end(c) for c in on_page]
        if max(ends) > on_page[0].limit - layout.line_height:
            continue  # a column reaches the foot: the text fills the page
        if abs(ends[0] - ends[1]) <= layout.line_height + 0.5:
            continue
        # A line more or fewer on the page before moves the text of the last page by a line too.
        paragraphs = [e for c in columns if c.page >= page - 1 for e, *_ in c.blocks
                      if e.tag == "p" and "source" not in (e.get("class") or "").split()]
        yield on_page[0].body, page, list(dict.fromkeys(paragraphs))


def _end(column) -> float:
    """Where a column's text ends: the foot of its last line (a caption's, a table cell's), or of
    its last block's border box when that holds no line (a picture); not a margin under it."""
    block = column.blocks[-1][3]
    lines = [line for line in _line_boxes(block)]
    if lines:
        return lines[-1].position_y + lines[-1].height
    return block.position_y + block.margin_height() - block.margin_bottom


def _line_boxes(box):
    if type(box).__name__ == "LineBox":
        yield box
        return
    for child in getattr(box, "children", ()):
        if child.is_in_normal_flow():
            yield from _line_boxes(child)
