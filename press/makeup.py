"""Page make-up: blocks moved until the pages of an article part are well made.

WeasyPrint sets a figure or a table (kept whole: break-inside: avoid) where it stands in the
text; when it does not fit in what is left of a column, it goes to the next column and leaves
a hole above it, and a heading before it goes with it. A compositor floats it instead: the
text keeps filling the column, the figure goes on. WeasyPrint 70 has no column floats, and its
block layout has no hook for them; so press sets a part, reads where each block landed from
the page boxes, moves blocks in the part's element tree, and sets it again, a few passes at
most. The HTML that press renders stays what it was: the part cache (press/typeset.py) keys
on it, and the passes, being a function of it, are cached with their result.

The moves:
- a float that was pushed (it starts a column, after nothing but headings, while the column
  before it in the same article ends more than a body line above its foot, or the article's
  body had not begun on its opening page) goes after the next paragraph of text, with any
  float right behind it, in the same order. The paragraph fills the hole; the float follows it
  in the next column, never more than one page after the paragraph that called it.
- a column that stops more than a body line above the foot of a page from which its article
  goes on (a heading and its first two lines did not fit under it) is filled by setting
  paragraphs of that column, or of a full column before it on the page, a line looser (TeX's
  looseness), as many as it lacks lines; or, if the column holds a float, the float goes on
  after the text that follows it, and the text fills the column; or else paragraphs there are
  set a line tighter, as many as the heading with its lines lacks to fit under it (English
  paragraphs more often have a line to spare that way: 2020-09 en p5).
- an article that runs onto a new page with fewer than TAIL_LINES body lines there, beside a
  float called on a page before, gets the float moved back above its paragraph: the text goes
  on instead. Failing that, paragraphs of the pages before are set a line tighter (TeX's
  looseness, press/paragraphs.py) so that the tail comes back; or a line looser, so that it
  brings TAIL_LINES.
- a hole on an article part's first page that no paragraph mends (no page before to take a line
  from) is mended by the opening itself: its columns set a grid line or two higher or lower under
  the title and abstract, by the abstract set a line tighter or looser, or the white under them
  (the sink) a line less or more (_mend_openings).
Each move is a layout, kept only if the pages are better for it.

What cannot be met is said as a warning by press.typeset's caller (Diagnostic below).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from . import balancing, grid, paragraphs, percent
from .paragraphs import LOOSENESS
from .rules import CJK_PUNCTUATION, IS_HAN

LOGGER = logging.getLogger(__name__)
PASSES = 4  # layouts after the first, at most
HOLE_PASSES = 3  # layouts that fill holes, at most (and one that finds which paragraphs can be looser)
PULL_LINES = 3  # paragraphs set a line tighter to pull a heading up into a column's foot, at most
TAIL_LINES = 5
ADVANCES = 2  # layouts that move floats back to where they are called, to mend a tail, at most
HEADINGS = {"h2", "h3", "h4"}
TEXT = {"p", "ul", "ol", "blockquote"}


@dataclass(frozen=True)
class Diagnostic:
    """Something the make-up could not mend, on the page of the part it is on."""

    page: int  # 0-based, within the part
    what: str  # text of the block it is about
    message: str
    line: int | None = None  # of its article's file: the block's data-line (press/markup.py)
    article: str = ""  # the id of its <article> (slug-lang): which article of a run
    code: str = ""  # the README's table of codes


@dataclass
class _Column:
    page: int
    body: object  # the article's .body element this column belongs to
    blocks: list  # [(element, top, bottom, box)] in-flow children, in order
    limit: float  # the lowest y the column may reach
    above_notes: bool = False  # the limit is the page's note rule
    balanced: bool = False  # above a wide figure or another article: its columns are balanced

    @property
    def gap(self) -> float:
        return self.limit - (self.blocks[-1][2] if self.blocks else self.limit)


@dataclass
class _Layout:
    columns: list[_Column] = field(default_factory=list)
    heads: dict = field(default_factory=dict)  # article element → page of its title
    line_height: float = 0.0
    document: object = None  # the laid-out document read
    _plans: dict | None = None

    def plans(self) -> dict:
        """What the composer set each paragraph from (press.paragraphs.plans_of), read once."""
        if self._plans is None:
            self._plans = paragraphs.plans_of(self.document)
        return self._plans


def is_float(element) -> bool:
    classes = (element.get("class") or "").split()
    if element.tag == "figure":
        return "wide" not in classes
    return element.tag == "table" and "long" not in classes


def compose(document, root, render) -> tuple[object, list[Diagnostic]]:
    """The document made up: `render()` lays out `root` (an element tree) as it stands."""
    anchors = {id(e): _previous(e, root) for e in root.iter() if is_float(e)}
    return _compose(document, root, render, anchors)


def _compose(document, root, render, anchors):
    for attempt in range(2):
        for _ in range(PASSES):
            if not _float_moves(_read(document), root):
                break
            document = render()
        document = _mend_openings(_mend_holes(document, root, render), root, render)
        document = balancing.even_endings(_mend_tail(document, root, render, anchors), root, render, anchors)
        if attempt or not _keep_lead_ins(_read(document), root):
            break
        document = render()  # and made up again: a list kept with its lead-in moves what follows
    layout = _read(document)
    return document, _diagnostics(layout, root, anchors) + balancing.ending_warnings(layout, root)


# ---------- reading the pages ----------

def _read(document) -> _Layout:
    layout = _Layout(document=document)
    heights = []
    for index, page in enumerate(document.pages):
        box = page._page_box
        bottom = box.content_box_y() + box.height
        for notes in box.children:
            if type(notes).__name__ == "FootnoteAreaBox" and notes.children:
                bottom = min(bottom, notes.position_y)
        ruled = bottom < box.content_box_y() + box.height
        multicols = []
        _walk(box, None, index, layout, multicols, heights)
        for i, (multicol, columns) in enumerate(multicols):
            last = i == len(multicols) - 1
            for column in columns:
                column.limit = bottom if last else multicol.position_y + multicol.height
                column.above_notes = last and ruled
                column.balanced = not last
                layout.columns.append(column)
    layout.line_height = max(set(heights), key=heights.count) if heights else 17.0
    return layout


def _walk(box, article, index, layout, multicols, heights) -> None:
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    if element is not None and element.tag == "article":
        article = element
    if element is not None and "title" in classes and article is not None:
        layout.heads.setdefault(id(article), index)
    children = getattr(box, "children", [])
    if "body" in classes and any(_is_column(c, element) for c in children):
        columns = []
        for column in children:
            blocks = [(c.element, c.position_y, _bottom(c), c)
                      for c in column.children if c.is_in_normal_flow() and getattr(c, "element", None) is not None]
            columns.append(_Column(index, element, blocks, 0.0))
            for _, _, _, block in blocks:
                if block.element.tag == "p":
                    lines = [line for line in block.children if type(line).__name__ == "LineBox"]
                    heights += [round(b.position_y - a.position_y, 2) for a, b in zip(lines, lines[1:])]
        multicols.append((box, columns))
        return
    for child in children:
        _walk(child, article, index, layout, multicols, heights)


def _bottom(box) -> float:
    """Where a block ends: its margin box, or its last line, for a paragraph WeasyPrint cut back
    (a source line that may not start a column takes the last lines with it, and the cut box
    keeps the height it had with them)."""
    bottom = box.position_y + box.margin_height()
    lines = [line for line in box.children if type(line).__name__ == "LineBox"]
    if lines and len(lines) == len(box.children):
        bottom = min(bottom, lines[-1].position_y + lines[-1].height + box.padding_bottom + box.border_bottom_width
                     + box.margin_bottom)
    return bottom


def _is_column(box, body) -> bool:
    return getattr(box, "element", None) is body and hasattr(box, "children")


def _previous(element, root):
    parent = _parents(root).get(id(element))
    if parent is None:
        return None
    siblings = list(parent)
    i = siblings.index(element)
    return siblings[i - 1] if i else None


def _parents(root) -> dict:
    return {id(child): parent for parent in root.iter() for child in parent}


# ---------- lists ----------

def _keep_lead_ins(layout: _Layout, root) -> bool:
    """A list may start a column (styles/press.css), but not a page after the paragraph that
    introduces it (one that ends in a colon): the reader would turn the page between the two.
    Such a list is kept with its lead-in again, as WeasyPrint's own sheet keeps every list;
    whether any was."""
    kept = False
    seen: dict = {}  # body element → the page of its last column seen
    for column in layout.columns:
        first_on_page = seen.get(id(column.body), column.page) != column.page
        seen[id(column.body)] = column.page
        if not first_on_page or not column.blocks or column.blocks[0][0].tag not in ("ul", "ol"):
            continue
        element = column.blocks[0][0]
        before = _previous(element, root)
        if before is not None and before.tag == "p" and _text(before).endswith((":", "：")):
            element.set("style", (element.get("style") or "") + "break-before: avoid;")
            kept = True
    return kept


# ---------- floats ----------

def _heights(layout: _Layout) -> dict:
    """id(element) → its height, over all its fragments."""
    heights: dict = {}
    for column in layout.columns:
        for element, top, bottom, _ in column.blocks:
            heights[id(element)] = heights.get(id(element), 0.0) + bottom - top
    return heights


def _float_moves(layout: _Layout, root) -> bool:
    """Move every pushed float after the text that fills its hole; whether any moved."""
    parents = _parents(root)
    heights = _heights(layout)
    moved = [_move_after_text(element, parents, gap, heights) for element, gap, _ in _pushed(layout, parents)]
    return any(moved)


def _pushed(layout: _Layout, parents: dict):
    """(float, the white it left above it, its column) for each float that starts a column (after
    nothing but headings) because it did not fit at the foot of the column before, in the same
    article; or that starts the body on a page after the article's title (white: 0)."""
    previous_column: dict = {}  # body element → the last column seen of it
    seen = set()
    ends = {id(body): max(pages) for body, pages in _bodies(layout).items()}
    for column in layout.columns:
        before = previous_column.get(id(column.body))
        previous_column[id(column.body)] = column
        first = next((i for i, (e, *_) in enumerate(column.blocks) if e.tag not in HEADINGS), None)
        if first is None:
            continue
        element = column.blocks[first][0]
        if not is_float(element) or id(element) in seen:
            continue
        seen.add(id(element))
        if before is None:
            article = parents.get(id(column.body))
            if layout.heads.get(id(article), column.page) < column.page:
                yield element, 0.0, column
        elif before.page == ends[id(column.body)]:
            continue  # where the article ends its columns are balanced: white there is no hole
        elif before.gap > layout.line_height + 0.5:
            yield element, before.gap, column


def _move_after_text(element, parents, gap: float, heights: dict) -> bool:
    """Move `element` and the floats right behind it after the text that follows, as many
    blocks of it (with their headings) as it takes to fill `gap`: one pass, not one a block.
    False if no text follows."""
    parent = parents[id(element)]
    siblings = list(parent)
    i = siblings.index(element)
    group = [element]
    j = i + 1
    while j < len(siblings) and is_float(siblings[j]):
        group.append(siblings[j])
        j += 1
    target, filled = None, 0.0
    while j < len(siblings) and (target is None or filled < gap):
        if siblings[j].tag not in HEADINGS | TEXT or "source" in (siblings[j].get("class") or "").split():
            break  # the article's source line ends it: a float never goes below it
        filled += heights.get(id(siblings[j]), 0.0)
        if siblings[j].tag in TEXT:
            target = siblings[j]
        j += 1
    if target is None:
        return False
    # A paragraph that ends in a colon introduces what follows it (a list): they stay together.
    following = list(parent)[list(parent).index(target) + 1:]
    if following and following[0].tag in ("ul", "ol") and "".join(target.itertext()).rstrip().endswith((":", "：")):
        target = following[0]
    tail = element.tail  # the whitespace after each element travels with it
    for moving in group:
        parent.remove(moving)
    at = list(parent).index(target) + 1
    for k, moving in enumerate(group):
        parent.insert(at + k, moving)
    element.tail = tail
    return True


def _move_to_end(element, parents) -> bool:
    """Move `element` to the end of its article's body, after its source line; False if a float
    follows it (floats keep their order) or it is there already."""
    parent = parents[id(element)]
    siblings = list(parent)
    after = siblings[siblings.index(element) + 1:]
    if not after or any(is_float(e) for e in after):
        return False
    tail = element.tail
    parent.remove(element)
    parent.append(element)
    element.tail = tail
    return True


# ---------- holes ----------

def _mend_holes(document, root, render):
    """A column that stops more than a body line above the foot of a page from which its
    article goes on (the next block, a heading with its first lines, did not fit) is filled
    TeX's way: as many paragraphs as it has lines too few are set a line looser, the
    nearest first, of that column or of a full column before it on the page (press passes a
    line on). Which paragraphs can be is asked of the composer (press.paragraphs.
    can_take: a paragraph's lines depend on the column's width alone); a pass is kept only
    if it leaves fewer holes, or as many lacking fewer lines, and no short tail it did not have.
    English and Chinese paragraphs rarely have a line to spare within the word-space limits
    (press/paragraphs.py: a line more needs a word less on every line): what is left is a hole
    before a heading that comes with its first lines or not at all."""
    layout = _read(document)
    found = _holes(layout)
    if not found:
        return document
    able, tried = _Able(layout, root, +1), set()
    for _ in range(HOLE_PASSES):
        undo = _loosen(layout, found, able) or _defer(layout, root, found, tried) \
            or _tighten(layout, found, tried) or _carry(layout, found, tried)
        if undo is None:
            break
        mended = render()
        after = _read(mended)
        if not _better(document, layout, mended, after, root):
            undo()
            continue
        document, layout, found = mended, after, _holes(after)
        if not found:
            break
    return document


def _better(document, layout: _Layout, mended, after: _Layout, root) -> bool:
    """Whether a trial layout leaves fewer holes, or as many lacking fewer lines, and nothing else
    worse: no short tail, pushed float, page or uneven ending it did not have."""
    parents = _parents(root)
    return _lacking(_holes(after)) < _lacking(_holes(layout)) \
        and not (_tail(after) is not None and _tail(layout) is None) \
        and len(list(_pushed(after, parents))) <= len(list(_pushed(layout, parents))) \
        and len(mended.pages) <= len(document.pages) \
        and len(list(balancing._uneven(after))) <= len(list(balancing._uneven(layout)))


def _loosen(layout: _Layout, found: list, able: _Able):
    """Ask the paragraphs that can fill the holes for a line more; how to take it back (None
    if none can). A paragraph that was asked is not asked again."""
    asked = []
    for column, lines in found:
        asked += [e for e in _before(layout, column, found) if e in able and e not in asked][:lines]
    if not asked:
        return None
    for element in asked:
        element.set(LOOSENESS, "1")
        able.discard(element)

    def undo():
        for element in asked:
            element.attrib.pop(LOOSENESS, None)
    return undo


def _defer(layout: _Layout, root, found: list, tried: set):
    """Move a float out of a column that stops short, after the text that follows it: the text
    fills the column (it breaks between lines, where a heading with its first lines did not
    fit), the float goes on to the next column. How to take it back, or None."""
    parents, heights = _parents(root), _heights(layout)
    for column, _ in found:
        for element, top, bottom, _ in reversed(column.blocks):
            if not is_float(element) or id(element) in tried:
                continue
            tried.add(id(element))
            parent = parents[id(element)]
            order = list(parent)
            if _move_after_text(element, parents, column.gap + bottom - top, heights):
                def undo():
                    parent[:] = order
                return undo
    return None


def _tighten(layout: _Layout, found: list, tried: set):
    """Pull up what did not fit under a column that stops short (a heading with its first two
    lines, most often) TeX's other way: paragraphs of that column, or of a full column before
    it on the page, set a line tighter, the nearest first, as many as the block lacks lines
    (PULL_LINES at most). How to take it back, or None."""
    plans = layout.plans()
    for column, _ in found:
        if ("pull", id(column.body), column.page) in tried:
            continue
        tried.add(("pull", id(column.body), column.page))
        lines = _pull_lines(layout, column)
        if not 0 < lines <= PULL_LINES:
            continue
        asked = [e for e in _before(layout, column, found)
                 if not e.get(LOOSENESS) and paragraphs.can_take(plans, e, -1)][:lines]
        if len(asked) < lines:
            continue
        return _ask(asked, -1)
    return None


def _pull_lines(layout: _Layout, column: _Column) -> int:
    """The lines a column that stops short lacks for the block that did not fit under it (a
    heading with its first two lines, most often) to fit; 0 if none follows."""
    after = layout.columns[layout.columns.index(column) + 1:]
    following = next((c for c in after if c.body is column.body and c.blocks), None)
    if following is None:
        return 0
    need = 0.0
    for k, (element, top, bottom, box) in enumerate(following.blocks):
        if element.tag in HEADINGS:
            # At the column's top the heading dropped its space above (press/grid.py); under
            # text it takes it again.
            space = box.style["margin_top"]
            need += bottom - top + (space.value if k == 0 and space.unit == "px" else 0.0)
            continue
        # A paragraph comes with its first two lines (orphans); anything else whole.
        need += min(bottom - top, 2 * layout.line_height) if element.tag == "p" else bottom - top
        break
    return math.ceil((need - column.gap - 0.5) / layout.line_height)


def _ask(asked: list, change: int):
    """Set each paragraph `change` lines longer; how to take it back."""
    for element in asked:
        element.set(LOOSENESS, str(change))

    def undo():
        for element in asked:
            element.attrib.pop(LOOSENESS, None)
    return undo


def _carry(layout: _Layout, found: list, tried: set):
    """TeX's looseness is not bound to the page of the fault: a paragraph set a line looser on
    any earlier page of the article part pushes a line on across every column break after it,
    and one set a line tighter pulls a line back, as long as no column between stops short
    (a heading kept with its lines, a float at its foot swallows the line). So a hole the
    page itself cannot mend is filled by paragraphs of the pages before: as many as it lacks
    lines set looser, or else as many as the block after it lacks set tighter. The least
    stretched are asked first, nearest first among equals; a Chinese paragraph may spread
    its gaps to MAX_SPACING here (LOOSER_RATIO keeps the English spaces near the usual, which
    a Chinese line, spread between every character, does not need). The layout after is
    checked as every pass is (_mend_holes): the pages between must still hold. How to take it
    back, or None."""
    plans = layout.plans()
    for column, lines in found:
        if ("carry", id(column.body), column.page) in tried or _free_lines(column, layout) <= 1:
            continue  # white of less than two lines is no hole (_holes): not worth a layout
        tried.add(("carry", id(column.body), column.page))
        span = _span(layout, column, found)
        for change, need in ((+1, lines), (-1, _pull_lines(layout, column))):
            if not 0 < need <= PULL_LINES:
                continue
            ranked = []
            for distance, element in span:
                ratio = None if element.get(LOOSENESS) else paragraphs.taking(plans, element, change, 1.0)
                if ratio is not None:
                    ranked.append((round(abs(ratio), 1), distance, len(ranked), element))
            if len(ranked) >= need:
                return _ask([element for *_, element in sorted(ranked)[:need]], change)
            if change < 0:
                # The rest pulled by a photo of those pages set a little smaller.
                smaller = _smaller(layout, column, found, need - len(ranked))
                if smaller is not None:
                    tighter = _ask([element for *_, element in ranked], change)

                    def undo():
                        tighter()
                        smaller()
                    return undo
    return None


PHOTO_CUT = 0.15  # a photo set smaller to pull a line back: at most this share of its height


def _smaller(layout: _Layout, column: _Column, holes: list, lines: int):
    """A photo in `column` or a column before it that passes its line on (_span), the nearest,
    set smaller by what it takes for the block after it to start `lines` grid lines higher
    (PHOTO_CUT of its height at most: a reader does not see a picture 5 % smaller, and a
    typesetter sizes pictures to the page). How to take it back, or None."""
    for c in _columns_back(layout, column, holes):
        for k in range(len(c.blocks) - 2, -1, -1):
            element, top, bottom, box = c.blocks[k]
            image = next(element.iter("img"), None) if element.tag == "figure" and is_float(element) else None
            found = next((b for b in balancing._boxes(box) if getattr(b, "element", None) is image), None)
            if found is None:
                continue
            cut = bottom - (c.blocks[k + 1][1] - lines * layout.line_height)
            if not 0 < cut <= PHOTO_CUT * found.height:
                continue
            style = image.get("style")
            image.set("style", (style or "") + f"max-height: {found.height - cut:.2f}px;")

            def undo(image=image, style=style):
                if style is None:
                    image.attrib.pop("style", None)
                else:
                    image.set("style", style)
            return undo
    return None


def _span(layout: _Layout, column: _Column, holes: list) -> list:
    """(pages back, paragraph) for the paragraphs of `column`'s article part whose line more or
    fewer reaches it: of that column and of the columns before it, across pages (_columns_back)."""
    found = []
    for c in _columns_back(layout, column, holes):
        found += [(column.page - c.page, e) for e, *_ in reversed(c.blocks) if e.tag == "p"
                  and "source" not in (e.get("class") or "").split() and all(e is not f for _, f in found)]
    return found


def _columns_back(layout: _Layout, column: _Column, holes: list) -> list:
    """`column` and the columns of its article part before it, nearest first, across pages, back
    to the last one that stops short itself (a hole) or ends with a float, which would take a
    line pushed on, or give none back."""
    columns = [c for c in layout.columns if c.body is column.body]
    short = {id(c) for c, _ in holes}
    found = []
    for c in reversed(columns[:columns.index(column) + 1]):
        if c is not column and (id(c) in short or not c.blocks or is_float(c.blocks[-1][0]) or c.balanced):
            break
        found.append(c)
    return found


def _holes(layout: _Layout, lines: bool = False) -> list[tuple[_Column, int]]:
    """(column, the lines it lacks) for each column that stops more than a body line above its
    foot on a page from which its article goes on, with no float at its foot. The make-up tries
    to fill any white of more than a line; a hole that is said (`lines`) is two whole lines of
    the grid or more (_free_lines)."""
    found = []
    for body, pages in _bodies(layout).items():
        for page, columns in pages.items():
            if page == max(pages):
                continue
            for column in columns:
                if not column.blocks or is_float(column.blocks[-1][0]):
                    continue
                if lines and _free_lines(column, layout) > 1 and not column.balanced:
                    found.append((column, _free_lines(column, layout) - 1))
                elif not lines and column.gap > layout.line_height + 0.5:
                    found.append((column, math.ceil((column.gap - 0.5) / layout.line_height - 1)))
    return found


def _free_lines(column: _Column, layout: _Layout) -> int:
    """The body lines that would still fit under a column's last block: whole lines of its grid
    (press/grid.py), down to the note rule, which may stand grid.NOTE_SHRINK into the last
    line. The white under the last grid line of the text block, or above a rule rounded up to
    the grid, is less than a line and no hole: one line short (a widow kept off, a heading
    that comes with its first lines) is within a line of the foot."""
    shrink = grid.NOTE_SHRINK if column.above_notes else 0.0
    return math.floor((column.gap + shrink + 0.01) / layout.line_height)


def _lacking(holes: list) -> tuple[int, int]:
    """How bad holes are: how many, and the lines they lack between them."""
    return len(holes), sum(lines for _, lines in holes)


def _before(layout: _Layout, column: _Column, holes: list) -> list:
    """The paragraphs whose line more is a line more in `column`, nearest first: its own, and
    those of the columns before it on its page back to the last one that is itself a hole (a
    full column passes a line on to the next; one that stops before a heading does not)."""
    columns = [c for c in layout.columns if c.body is column.body and c.page == column.page]
    short = {id(c) for c, _ in holes}
    start = max((i + 1 for i, c in enumerate(columns) if id(c) in short and c is not column
                 and i < columns.index(column)), default=0)
    held = [c for c in columns if id(c) in short and columns.index(c) < start]
    excluded = {id(e) for c in held for e, *_ in c.blocks}
    found = []
    for c in columns[start:columns.index(column) + 1]:
        found += [e for e, *_ in c.blocks if e.tag == "p" and id(e) not in excluded and e not in found
                  and "source" not in (e.get("class") or "").split()]
    return found[::-1]


class _Able:
    """The paragraphs of the part that can be set `change` lines longer, as the part was laid
    out when made (a paragraph's lines depend on the column's width alone). The composer is asked
    of a paragraph when the make-up first asks of it, not of the whole part at once: most are
    never asked (2020-02: the composer run for 4 of 59 paragraphs instead of 59, 0.06 CPU-s)."""

    def __init__(self, layout: _Layout, root, change: int):
        self.plans, self.change = layout.plans(), change
        # The looseness as it was: a paragraph set looser or tighter since is not asked again.
        self.free = {id(e) for e in root.iter("p") if not e.get(LOOSENESS)}
        self.known: dict = {}

    def __contains__(self, element) -> bool:
        if id(element) not in self.free:
            return False
        if id(element) not in self.known:
            self.known[id(element)] = paragraphs.can_take(self.plans, element, self.change)
        return self.known[id(element)]

    def discard(self, element) -> None:
        self.free.discard(id(element))


def _mend_tail(document, root, render, anchors: dict):
    """An article that ends with fewer than TAIL_LINES lines on a page of their own: a float
    on that page whose paragraph is on a page before goes back above that paragraph, to the
    column where it is called, and the text it stood in the way of goes on instead; failing
    that, set paragraphs of the pages before it a line tighter, so that the tail comes back (a page
    saved), or else a line looser, so that it brings TAIL_LINES. Which paragraphs can be is
    asked of the composer (press.paragraphs.can_take); the last of those, as many as needed,
    ask. Nothing changes when neither works."""
    layout = _read(document)
    tail = _tail(layout)
    if tail is None:
        return document
    undo, after = [], layout
    for _ in range(ADVANCES):
        advanced = _advance(after, root, tail[0], anchors)
        if advanced is None:
            break
        undo.append(advanced)
        mended = render()
        after = _read(mended)
        parents = _parents(root)
        if _tail(after) is None:
            # A hole above a pushed float counts as a hole: the float, moved back, may leave one
            # of the same size at the foot of a column instead.
            if len(_holes(after)) + len(list(_pushed(after, parents))) \
                    <= len(_holes(layout)) + len(list(_pushed(layout, parents))):
                return mended
            break
    for advanced in reversed(undo):
        advanced()
    body, lines, everything, candidates = tail
    # The lines to pull back are those the page before has no room for: its last column may
    # stop short already (a source line that may not start a column takes the paragraph's last
    # lines with it, 2020-09 mars-probe.zh: two lines free, three to bring back).
    pages = _bodies(layout)[body]
    before = [column for column in pages.get(max(pages) - 1, []) if column.blocks]
    room = _free_lines(before[-1], layout) if before else 0
    plans = layout.plans()
    for change, need in ((-1, max(1, everything - room)), (+1, TAIL_LINES - lines)):
        able = [e for e in candidates if not e.get(LOOSENESS) and paragraphs.can_take(plans, e, change)]
        if len(able) < need and change > 0:
            # Chinese paragraphs spread to MAX_SPACING (_carry), the least stretched first.
            ratios = {id(e): paragraphs.taking(plans, e, change, 1.0) for e in candidates if not e.get(LOOSENESS)}
            able = sorted((e for e in candidates if ratios.get(id(e)) is not None), key=lambda e: -ratios[id(e)])
        if len(able) < need:
            continue
        for element in able[-need:]:
            element.set(LOOSENESS, str(change))
        mended = render()
        if _tail(_read(mended)) is None:
            return mended
        for element in able[-need:]:
            element.attrib.pop(LOOSENESS, None)
    return document  # the tree is as it was laid out then


def _advance(layout: _Layout, root, body, anchors: dict):
    """Move the floats on `body`'s last page that are called on a page before up above their
    paragraphs; how to take it back, or None if there are none."""
    pages = _bodies(layout)[body]
    where = {id(e): page for page, columns in pages.items() for column in columns for e, *_ in column.blocks}
    last = max(pages)
    parents = _parents(root)
    moves = []
    for column in pages[last]:
        for element, *_ in column.blocks:
            anchor = anchors.get(id(element))
            if is_float(element) and anchor is not None and where.get(id(anchor), last) < last \
                    and parents.get(id(anchor)) is parents.get(id(element)) and anchor.tag in TEXT:
                moves.append((element, anchor))
    if not moves:
        return None
    parent = parents[id(moves[0][0])]
    order = list(parent)
    for element, anchor in moves:
        tail = element.tail
        parent.remove(element)
        parent.insert(list(parent).index(anchor), element)
        element.tail = tail

    def undo():
        parent[:] = order
    return undo


def _tail(layout: _Layout):
    """(body, its body lines on its last page, all its lines there (the source's too), the
    paragraphs on the pages before) for the first article part whose body ends with a short
    tail on a page of its own."""
    for body, pages in _bodies(layout).items():
        last = max(pages)
        lines = _body_lines(pages[last])
        if _is_tail(pages):
            candidates = []
            for page in sorted(pages):
                if page < last:
                    candidates += [e for column in pages[page] for e, *_ in column.blocks
                                   if e.tag == "p" and "source" not in (e.get("class") or "") and e not in candidates]
            return body, lines, _body_lines(pages[last], source=True), candidates
    return None


def _is_tail(pages: dict) -> bool:
    """An article's body runs onto a page with fewer than TAIL_LINES lines of text there (a
    source line alone is no text)."""
    last = max(pages)
    return len(pages) > 1 and any(column.blocks for column in pages[last]) and _body_lines(pages[last]) < TAIL_LINES


def _bodies(layout: _Layout) -> dict:
    found: dict = {}
    for column in layout.columns:
        found.setdefault(column.body, {}).setdefault(column.page, []).append(column)
    return found


def _lines(box) -> int:
    return sum(1 for line in box.children if type(line).__name__ == "LineBox")


def _body_lines(columns, source: bool = False) -> int:
    """The lines of the paragraphs in `columns`: of the text, or also of the source line."""
    return sum(_lines(box) for column in columns for element, _, _, box in column.blocks
               if element.tag == "p" and (source or "source" not in (element.get("class") or "").split()))


# ---------- openings ----------

SINK_LEAST = 0.4  # of each white under an opening's title and abstract, the share a line taken from them leaves
OPENING_TRIALS = 4  # layouts that set an opening's columns higher or lower, at most, a part
# The ways to set the columns a grid line or two higher or lower, cheapest first: (lines the abstract
# is set tighter or looser, grid lines the sink is less or more deep). A sink two lines deeper is the
# last resort: white under the abstract, where a hole at the column's foot is worse.
OPENING_MOVES = ((1, 0), (0, 1), (1, 1), (0, 2))


def _mend_openings(document, root, render):
    """A hole on the first page of an article part that no paragraph could mend (there is no
    page before to take a line from) is mended as a designer makes up a crowded opening: the
    columns are set a whole line of their grid higher or lower under the title and abstract. A
    line higher gives each column a line more: the first column takes a line from the top of
    the next, whose foot so rises by two lines, and a heading with its first lines (or a block)
    that missed it by up to two lines comes up into it. A line lower does the opposite and fills
    a hole of up to two lines. The moves, cheapest first (OPENING_MOVES), each a layout checked as
    the hole passes are (_better), and the opening must keep body text:
    - the abstract, a paragraph like any other, set a line tighter or looser within the
      composer's limits (press.paragraphs.taking), the white under it making up the difference
      between its line and the grid's (2 pt in Chinese): unseen;
    - the white under the opening (the sink) a grid line less, taken from its whites (under the
      byline, the rule and the abstract) in proportion, each keeping SINK_LEAST of itself; or a
      grid line more, under the abstract;
    - both, for a block that misses by three or four lines; or, last, the sink two grid lines
      deeper: white under the abstract rather than a hole at a column's foot.
    Whole lines keep the grid: its lines count from the columns' top (press/grid.py), and the
    note area is rounded onto it from there. OPENING_TRIALS layouts a part at most. A trial whose
    abstract would end with one character alone, which is never kept, is known from the composer
    (press.paragraphs.last_line) and counted, without its layout (2020-02 knowledge-sharing.zh: one
    layout of three saved)."""
    layout = _read(document)
    parents = _parents(root)
    trials, done = 0, set()
    while trials < OPENING_TRIALS:
        column = next((c for c, _ in _holes(layout, lines=True) if id(c.body) not in done
                       and layout.heads.get(id(parents.get(id(c.body)))) == c.page and _first_page(layout, c)), None)
        if column is None:
            break
        done.add(id(column.body))
        article, best, base = parents[id(column.body)], None, layout
        for change, abstract, sink in _opening_moves(layout, column):
            if trials >= OPENING_TRIALS:
                break
            undo = _move_columns(layout, article, parents, change, abstract, sink)
            if undo is None:
                continue
            trials += 1
            if undo.paragraph is not None and _lonely(paragraphs.last_line(layout.plans(), undo.paragraph, change)):
                # The abstract's paragraph would end with one character alone (the trial is not kept
                # then): the composer says so without a layout.
                LOGGER.debug("opening %s: columns %d line(s) %s (abstract %d, sink %d): trial %d, the abstract "
                             "would end with one character alone", article.get("id"), abstract + sink,
                             "lower" if change > 0 else "higher", abstract, sink, trials)
                undo()
                continue
            mended = render()
            after = _read(mended)
            kept = _better(document, layout, mended, after, root) and _opens_with_text(after, column.body) \
                and not any(_lonely_end(box) for box in _opening(after, article, parents)["abstract p"])
            mends = kept and not any(c.body is column.body and c.page == column.page for c, _ in _holes(after, True))
            LOGGER.debug("opening %s: columns %d line(s) %s (abstract %d, sink %d): trial %d, %s", article.get("id"),
                         abstract + sink, "lower" if change > 0 else "higher", abstract, sink, trials,
                         "mends" if mends else "better" if kept else "taken back")
            undo()
            if mends:
                best = (change, abstract, sink, mended, after)
                break
            if kept and best is None:
                best = (change, abstract, sink, mended, after)  # the hole smaller, if nothing mends it
        if best is not None:
            change, abstract, sink, document, layout = best
            _move_columns(base, article, parents, change, abstract, sink)
    return document


def _opening_moves(layout: _Layout, column: _Column):
    """The trials for a hole on an opening page, cheapest first: (-1 for the columns higher or
    1 lower, the abstract's lines more or fewer, the sink's). The columns a line higher raise
    the foot of the column after the first by two lines, for the block that did not fit under it
    (_pull_lines); a line lower lowers it by two, into the white (_free_lines)."""
    needs = {-1: _pull_lines(layout, column), +1: _free_lines(column, layout)}
    for abstract, sink in OPENING_MOVES:
        # Lower first: the text only moves on, in its order, and fills the white from above; a
        # line higher must also bring the block after the hole up, which failed as often as not
        # (2020-06: rd-funding.zh and young-scientists.en, one layout each saved).
        for change in (+1, -1):
            if 0 < needs[change] <= 2 * (abstract + sink):
                yield change, abstract, sink


def _lonely_end(box) -> bool:
    """Whether a laid-out paragraph ends with one Han character alone on its last line (with
    its punctuation), which the page rules forbid (press/pagerules.py): the composer counts a
    character and the stop after it as two boxes, and a Chinese abstract set a line looser
    ended so ("势。", 2020-02 knowledge-sharing.zh)."""
    lines = [line for line in box.children if type(line).__name__ == "LineBox"]

    def text(b) -> str:
        return getattr(b, "text", "") + "".join(text(c) for c in getattr(b, "children", ()))

    return bool(lines) and _lonely(text(lines[-1]))


def _lonely(line: str | None) -> bool:
    """Whether a last line's text is one Han character alone (with its punctuation)."""
    last = [c for c in line or "" if not c.isspace() and c not in CJK_PUNCTUATION]
    return len(last) == 1 and IS_HAN.match(last[0]) is not None


def _first_page(layout: _Layout, column: _Column) -> bool:
    """Whether `column` is on the first page of its article part: no page before to pull from."""
    return min(c.page for c in layout.columns if c.body is column.body) == column.page


def _opens_with_text(layout: _Layout, body) -> bool:
    """Whether the first page of the article's columns holds body text."""
    columns = [c for c in layout.columns if c.body is body]
    return bool(columns) and _body_lines([c for c in columns if c.page == columns[0].page]) > 0


def _opening(layout: _Layout, article, parents: dict) -> dict:
    """The laid-out boxes of the article's head ("article-head") and abstract ("abstract"), and
    the list of the abstract's paragraphs ("abstract p"), read from the page of its title."""
    found: dict = {"abstract p": []}

    def walk(box):
        element = getattr(box, "element", None)
        if element is not None:
            if parents.get(id(element)) is article:
                for name in set((element.get("class") or "").split()) & {"article-head", "abstract"}:
                    found.setdefault(name, box)
            elif element.tag == "p" and "abstract" in (parents.get(id(element), element).get("class") or "").split() \
                    and parents.get(id(parents[id(element)])) is article:
                found["abstract p"].append(box)
        for child in getattr(box, "children", ()):
            walk(child)

    page = layout.heads.get(id(article))
    if page is not None:
        walk(layout.document.pages[page]._page_box)
    return found


def _move_columns(layout: _Layout, article, parents: dict, change: int, abstract: int, sink: int):
    """Set the article's columns a grid line higher (`change` -1) or lower (1) for each of: one
    of the abstract's paragraphs (the least stretched) a line tighter or looser (`abstract`: 1),
    the white under the opening `sink` grid lines less or more. How to take it back, or None
    where the abstract cannot be set so or the whites would keep less than SINK_LEAST of
    themselves."""
    boxes = _opening(layout, article, parents)
    head, section = boxes.get("article-head"), boxes.get("abstract")
    if head is None:
        return None
    pitch = layout.line_height
    last = section or head
    whites = {(head, "padding-bottom"): head.padding_bottom, (head, "margin-bottom"): head.margin_bottom}
    whites[(last, "margin-bottom")] = last.margin_bottom
    was = dict(whites)
    if sink and change > 0:
        whites[(last, "margin-bottom")] += sink * pitch
    elif sink:
        total = sum(was.values())
        whites = {key: white * (1 - sink * pitch / total) for key, white in whites.items()}
    if abstract:
        # The abstract's paragraph that can, the least stretched (Chinese and English: each its own line).
        ranked = sorted((abs(ratio), k, box) for k, box in enumerate(boxes["abstract p"])
                        if not box.element.get(LOOSENESS) and (grid.line_pitch(box) or pitch + 1) <= pitch
                        and (ratio := paragraphs.taking(layout.plans(), box.element, change)) is not None)
        if section is None or not ranked:
            return None
        paragraph = ranked[0][2]
        whites[(section, "margin-bottom")] += change * (pitch - grid.line_pitch(paragraph))
    if any(whites[key] < SINK_LEAST * was[key] - 0.01 for key in whites):
        return None
    undo = [_set_white(box.element, name, white) for (box, name), white in whites.items()
            if abs(white - was[(box, name)]) > 0.01]
    if abstract:
        paragraph.element.set(LOOSENESS, str(change))
        undo.append(lambda: paragraph.element.attrib.pop(LOOSENESS, None))

    def undo_all():
        for step in reversed(undo):
            step()
    undo_all.paragraph = paragraph.element if abstract else None  # the abstract's paragraph set so
    return undo_all


WHITES = "data-press-whites"  # an opening's whites as its trial sets them (_move_columns): "margin-bottom:12.345 …"


def _set_white(element, name: str, white: float):
    """A white of an opening (`name`, a margin or padding) set to `white` px (WHITES); how to take it back.
    Not an inline style: a style attribute changed builds the part's styles and boxes anew
    (press/relayout.py), 2.3 of the 9.1 CPU-s of the opening trial of 1,000 English links."""
    before = element.get(WHITES)
    whites = dict(item.split(":") for item in before.split()) if before else {}
    whites[name] = f"{white:.3f}"
    element.set(WHITES, " ".join(f"{key}:{value}" for key, value in whites.items()))

    def undo():
        if before is None:
            element.attrib.pop(WHITES, None)
        else:
            element.set(WHITES, before)
    return undo


def set_whites(root, style_for) -> None:
    """The whites the opening trials set (WHITES) put in the computed styles of their elements, as
    an inline style would compute them (a length in px), and those of an element whose trial was
    taken back put back: the layout of the part's boxes then reads them, built anew or not
    (press/relayout.py calls this before each layout)."""
    from weasyprint.css.properties import Dimension

    whitened = style_for.__dict__.setdefault("press_whitened", {})  # element id → (style, values it had)
    wanted = {id(element): element.get(WHITES) for element in root.iter() if element.get(WHITES)}
    for key in list(whitened):
        if key not in wanted:
            style, had = whitened.pop(key)
            style.update(had)
            percent.forget(style)
    for element in root.iter():
        whites = wanted.get(id(element))
        if whites is None:
            continue
        style = style_for._computed_styles.get((element, None))
        if style is None:
            continue
        values = {name.replace("-", "_"): Dimension(float(value), "px")
                  for name, value in (item.split(":") for item in whites.split())}
        if id(element) in whitened:
            style.update(whitened[id(element)][1])  # the whites of another trial: from the values it had
        had = {name: style[name] for name in values}
        whitened[id(element)] = (style, had)
        style.update(values)
        percent.forget(style)  # its margins and paddings, kept as used lengths, are no longer these


def _restyle(element, css: str):
    """`css` added to an element's inline style; how to take it back."""
    style = element.get("style")
    element.set("style", (style or "") + css)

    def undo():
        if style is None:
            element.attrib.pop("style", None)
        else:
            element.set("style", style)
    return undo


# ---------- what is left ----------

def _diagnostics(layout: _Layout, root, anchors) -> list[Diagnostic]:
    found = []
    parents = _parents(root)
    for element, gap, column in _pushed(layout, parents):
        what = "table" if element.tag == "table" else "figure"
        found.append(Diagnostic(column.page, _text(element), f"this {what} does not fit below the text before it "
                                f"and leaves {gap / layout.line_height:.1f} lines free above it, with no text after "
                                f"it to fill them: put it a paragraph or two earlier, or make it smaller",
                                *_source(element, parents), "layout.pushed"))
    found += _hole_warnings(layout, parents)
    where = {}
    for column in layout.columns:
        for element, *_ in column.blocks:
            where.setdefault(id(element), column.page)
    for element in root.iter():
        if not is_float(element):
            continue
        anchor = anchors.get(id(element))
        page = where.get(id(element))
        if anchor is not None and page is not None and id(anchor) in where and page - where[id(anchor)] > 1:
            found.append(Diagnostic(page, _text(element), "this float lands more than a page after the text that "
                                    "calls it: move it nearer the end of its paragraph's page, or shorten it",
                                    *_source(element, parents), "layout.float"))
    for body, pages in _bodies(layout).items():
        last = max(pages)
        lines = _body_lines(pages[last])
        if _is_tail(pages):
            paragraph = _last_paragraph(pages[last])
            found.append(Diagnostic(last, _text(paragraph), f"the article ends with {lines} line(s) on a page of "
                                    f"their own (at least {TAIL_LINES} wanted), and no paragraph before could be set a "
                                    "line tighter or looser to mend it: shorten or lengthen the article by a few lines",
                                    *_source(paragraph if paragraph is not None else body, parents), "layout.tail"))
    return found


def _hole_warnings(layout: _Layout, parents: dict) -> list[Diagnostic]:
    """A warning for each hole left, at the block that did not fit under it: the first of the
    article's next column. A float there has its own (layout.pushed)."""
    pushed = {id(element) for element, _, _ in _pushed(layout, parents)}
    found = []
    for column, _ in _holes(layout, lines=True):
        after = layout.columns[layout.columns.index(column) + 1:]
        following = next((c for c in after if c.body is column.body and c.blocks), None)
        if following is None or id(following.blocks[0][0]) in pushed:
            continue
        element, top, bottom, box = following.blocks[0]
        free = _free_lines(column, layout)
        if element.tag in HEADINGS:
            why = "this heading, which comes with its first two lines or not at all, did not fit there"
        elif is_float(element):
            why = f"this {'table' if element.tag == 'table' else 'figure'} did not fit there"
        else:
            why = "this block did not fit there"
        found.append(Diagnostic(column.page, _text(element), f"the column before ends {free} lines above its foot "
                                f"on a page from which the article goes on: {why}, and no paragraph before it, on "
                                f"this page or the ones before, could be set a line looser to fill them, nor tighter "
                                f"(nor a photo smaller, nor the columns of the article's first page set a line higher "
                                f"or lower) to bring it up: lengthen the text before it by {free - 1} "
                                "line(s), or shorten it so that this block moves up", *_source(element, parents),
                                "layout.hole"))
    return found


def _source(element, parents: dict) -> tuple[int | None, str]:
    """The line an element carries (data-line), or its nearest ancestor's, and its article's id."""
    line = None
    while element is not None:
        if line is None and element.get("data-line"):
            line = int(element.get("data-line"))
        if element.tag == "article":
            return line, element.get("id") or ""
        element = parents.get(id(element))
    return line, ""


def _text(element) -> str:
    # Without the joiners and soft hyphens that text preparation adds: the source has none.
    text = "".join(element.itertext()).translate({0x2060: None, 0xAD: None}) if element is not None else ""
    return " ".join(text.split())


def _last_paragraph(columns):
    paragraphs = [element for column in columns for element, *_ in column.blocks
                  if element.tag == "p" and "source" not in (element.get("class") or "")]
    return paragraphs[-1] if paragraphs else None
