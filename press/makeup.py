"""Page make-up: blocks moved until the pages of an article part are well made (issue 21).

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
- an article that runs onto a new page with fewer than TAIL_LINES body lines there is set
  again with paragraphs of the page before a line tighter (TeX's looseness, press/paragraphs.py)
  so that the tail comes back; failing that, a line looser, so that it brings TAIL_LINES.

What cannot be met is said as a warning by press.typeset's caller (Diagnostic below).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import balancing
from .paragraphs import LOOSENESS

PASSES = 4  # layouts after the first, at most
TAIL_LINES = 5
HEADINGS = {"h2", "h3", "h4"}
TEXT = {"p", "ul", "ol", "blockquote"}


@dataclass(frozen=True)
class Diagnostic:
    """Something the make-up could not mend, on the page of the part it is on."""

    page: int  # 0-based, within the part
    what: str  # text of the block it is about, to find its source line by
    message: str


@dataclass
class _Column:
    page: int
    body: object  # the article's .body element this column belongs to
    blocks: list  # [(element, top, bottom, box)] in-flow children, in order
    limit: float  # the lowest y the column may reach

    @property
    def gap(self) -> float:
        return self.limit - (self.blocks[-1][2] if self.blocks else self.limit)


@dataclass
class _Layout:
    columns: list[_Column] = field(default_factory=list)
    heads: dict = field(default_factory=dict)  # article element → page of its title
    line_height: float = 0.0


def is_float(element) -> bool:
    classes = (element.get("class") or "").split()
    if element.tag == "figure":
        return "wide" not in classes
    return element.tag == "table" and "long" not in classes


def compose(document, root, render) -> tuple[object, list[Diagnostic]]:
    """The document made up: `render()` lays out `root` (an element tree) as it stands."""
    anchors = {id(e): _previous(e, root) for e in root.iter() if is_float(e)}
    for _ in range(PASSES):
        if not _float_moves(_read(document), root):
            break
        document = render()
    document = balancing.even_endings(_mend_tail(document, root, render), root, render)
    layout = _read(document)
    return document, _diagnostics(layout, root, anchors) + balancing.ending_warnings(layout)


# ---------- reading the pages ----------

def _read(document) -> _Layout:
    layout = _Layout()
    heights = []
    for index, page in enumerate(document.pages):
        box = page._page_box
        bottom = box.content_box_y() + box.height
        for notes in box.children:
            if type(notes).__name__ == "FootnoteAreaBox" and notes.children:
                bottom = min(bottom, notes.position_y)
        multicols = []
        _walk(box, None, index, layout, multicols, heights)
        for i, (multicol, columns) in enumerate(multicols):
            last = i == len(multicols) - 1
            for column in columns:
                column.limit = bottom if last else multicol.position_y + multicol.height
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
            blocks = [(c.element, c.position_y, c.position_y + c.margin_height(), c)
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


# ---------- floats ----------

def _float_moves(layout: _Layout, root) -> bool:
    """Move every pushed float after the text that fills its hole; whether any moved."""
    parents = _parents(root)
    heights: dict = {}  # element → its height, over all its fragments
    for column in layout.columns:
        for element, top, bottom, _ in column.blocks:
            heights[id(element)] = heights.get(id(element), 0.0) + bottom - top
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


# ---------- tails ----------

def _mend_tail(document, root, render):
    """An article that ends with fewer than TAIL_LINES lines on a page of their own: set
    paragraphs of the pages before it a line tighter, so that the tail comes back (a page
    saved), or else a line looser, so that it brings TAIL_LINES. Which paragraphs can be is
    found by one layout with every candidate asking; then the last of those, as many as
    needed, ask alone. Nothing changes when neither works."""
    tail = _tail(_read(document))
    if tail is None:
        return document
    body, lines, everything, candidates = tail
    before = _paragraph_lines(_read(document), body)
    for change, need in ((-1, everything), (+1, TAIL_LINES - lines)):
        for element in candidates:
            element.set(LOOSENESS, str(change))
        probe = _paragraph_lines(_read(render()), body)
        for element in candidates:
            element.attrib.pop(LOOSENESS, None)
        able = [e for e in candidates if probe.get(id(e), 0) - before.get(id(e), 0) == change]
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


def _paragraph_lines(layout: _Layout, body) -> dict:
    counts: dict = {}
    for column in layout.columns:
        if column.body is body:
            for element, _, _, box in column.blocks:
                counts[id(element)] = counts.get(id(element), 0) + _lines(box)
    return counts


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


# ---------- what is left ----------

def _diagnostics(layout: _Layout, root, anchors) -> list[Diagnostic]:
    found = []
    for element, gap, column in _pushed(layout, _parents(root)):
        what = "table" if element.tag == "table" else "figure"
        found.append(Diagnostic(column.page, _text(element), f"this {what} does not fit below the text before it "
                                f"and leaves {gap / layout.line_height:.1f} lines free above it, with no text after "
                                f"it to fill them: put it a paragraph or two earlier, or make it smaller"))
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
                                    "calls it: move it nearer the end of its paragraph's page, or shorten it"))
    for body, pages in _bodies(layout).items():
        last = max(pages)
        lines = _body_lines(pages[last])
        if _is_tail(pages):
            found.append(Diagnostic(last, _text(_last_paragraph(pages[last])), f"the article ends with {lines} line(s) on a page of "
                                    f"their own (at least {TAIL_LINES} wanted), and no paragraph before could be set a "
                                    "line tighter or looser to mend it: shorten or lengthen the article by a few lines"))
    return found


def _text(element) -> str:
    # Without the joiners and soft hyphens that text preparation adds: the source has none.
    text = "".join(element.itertext()).translate({0x2060: None, 0xAD: None}) if element is not None else ""
    return " ".join(text.split())


def _last_paragraph(columns):
    paragraphs = [element for column in columns for element, *_ in column.blocks
                  if element.tag == "p" and "source" not in (element.get("class") or "")]
    return paragraphs[-1] if paragraphs else None
