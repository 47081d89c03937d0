"""Count what a typesetter would not leave on the pages of a built issue (issue 21): notes
away from their call's page, openings without body text, holes, short tails, unbalanced
endings, the share of right-column lines on the left column's grid, note calls at line
starts, broken table cells.

    python tools/layout_report.py build/2020-02/*.pdf [--show 5]

The pages are read back with pypdfium2, as lines of positioned glyphs (press.pagerules.
read_lines). What each line is follows from its type, as styles/press.css sets it: body text
in the serif at the issue's body size (the most common face of the PDF, by glyphs); titles at
13.5 pt and more (a continued article's is 14 pt); notes at 7.5 pt under the body; note calls
at 6.5 pt, raised, inside body lines. The functions are importable (tests/test_composition.py
asserts on them).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from press.pagerules import Line, _visible, read_lines  # noqa: E402
from press.rules import QUARTER_EM  # noqa: E402

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 24 * MM, 22 * MM  # styles/press.css, @page
TITLE_EM = 13.5  # article titles: 20-21 pt opening a part, 14 pt for a continued article
PART_TITLE_EM = 19
CONTENTS_EM = 21.8  # the contents page's 22 pt title (an article title is at most 21 pt)
NOTE_EM = (7.2, 7.8)  # footnotes: 7.5 pt
CALL_EM = 7.0  # note calls: 6.5 pt, raised
TABLE_EM = (8.3, 8.7)  # table cells: 8.5 pt
TAIL_LINES = 5  # an article's last page brings at least this many body lines


@dataclass
class TextLine:
    glyphs: Line
    page: int
    kind: str  # body, title, note, other
    column: int  # 0 left, 1 right (a line across both columns counts as left)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @cached_property
    def main(self):
        """_main of the glyphs, found once: the checks ask each line's baseline and size many times."""
        return _main(self.glyphs)

    @property
    def baseline(self) -> float:
        return self.main.baseline

    @property
    def em(self) -> float:
        return self.main.em


@dataclass
class Page:
    index: int
    kind: str  # cover, contents, article
    lines: list[TextLine]  # inside the text block, notes apart, in content order
    notes: list[TextLine]
    foot: float  # the lowest y the columns may reach: above the notes and wide figures, or the margin
    images: list[tuple[float, float, float, float]]  # left, bottom, right, top
    middle: float
    block_top: float = 0.0  # the top of the text block
    line_height: float = 0.0  # the body's, measured on the page (or the PDF's, if it has too few lines)
    depth: float = 0.0  # from a body line's baseline to the foot of its line box, measured (see _depths)

    def body(self, column: int | None = None) -> list[TextLine]:
        return [line for line in self.lines if line.kind == "body" and column in (None, line.column)]


@dataclass
class Article:
    title: str
    opening: int  # page index
    part_start: bool  # opens a part (a new page), not a continued article
    lines: dict[int, list[TextLine]] = field(default_factory=dict)  # page → its lines there, after the title

    @property
    def last(self) -> int:
        return max(self.lines, default=self.opening)

    def body(self, page: int) -> list[TextLine]:
        return [line for line in self.lines.get(page, []) if line.kind == "body"]


@dataclass
class Layout:
    pdf: Path
    pages: list[Page]
    articles: list[Article]
    line_height: float  # the body's, measured


def _main(glyphs: Line):
    """The glyph that tells a line's face: the middle one of its visible glyphs, not a raised call."""
    visible = [g for g in _visible(glyphs) if g.em >= CALL_EM] or _visible(glyphs) or glyphs
    return visible[len(visible) // 2]


def _face(glyphs: Line) -> tuple[float, str]:
    g = _main(glyphs)
    return round(g.em, 1), g.font.split("+")[-1]


@lru_cache(maxsize=8)
def read_layout(pdf: Path) -> Layout:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = Path(pdf)
    document = pdfium.PdfDocument(pdf)
    raw = []
    for index in range(len(document)):
        page = document[index]
        left, bottom, right, top = page.get_trimbox()
        images = [tuple(obj.get_bounds()) for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)]
        # Thin rules across the text block: the note area's (0.5 pt) among them.
        rules = [bounds for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4)
                 if (bounds := tuple(obj.get_bounds()))[3] - bounds[1] < 0.8
                 and bounds[2] - bounds[0] > 0.9 * (right - left - 2 * 16.8 * MM)]
        lines = [line for line in read_lines(pdf, index) if _visible(line)]
        inside = [line for line in lines if BOTTOM_MARGIN - 2 < _main(line).baseline < top - TOP_MARGIN + 2]
        raw.append((index, inside, images, (left + right) / 2, right - left, top, rules))
    # The body face: the most common face of the article pages' glyphs, in the serif at 9.5 pt and more
    # (abstracts, quotations, tables, captions and notes are smaller, headings in the sans or italic).
    glyph_faces = Counter()
    for _, lines, *_rest in raw:
        for line in lines:
            for g in _visible(line):
                if g.em >= 9.5 and "Sans" not in g.font and "Bold" not in g.font and "Italic" not in g.font:
                    glyph_faces[(round(g.em, 1), g.font.split("+")[-1])] += 1
    top_count = max(glyph_faces.values(), default=0)
    body_faces = {face for face, n in glyph_faces.items() if n >= 0.15 * top_count}
    pages = []
    for index, lines, images, middle, width, top, rules in raw:
        ems = [g.em for line in lines for g in _visible(line)]
        kind = "cover" if index == 0 else "contents" if any(em >= CONTENTS_EM for em in ems) else "article"
        notes = [line for line in lines if NOTE_EM[0] <= _main(line).em <= NOTE_EM[1]]
        wide = [im for im in images if im[2] - im[0] > 0.9 * (width - 2 * 16.8 * MM)]
        # A wide figure that opens the page (press/floats.py) stands above the columns, not at their foot.
        at_foot = [im for im in wide if im[3] < top - TOP_MARGIN - 1]
        body = [line for line in lines if not any(line is n for n in notes)]
        tops = [max(g.baseline for g in line) + 0.8 * _main(line).em + 1.6 * MM for line in notes] + \
               [im[3] + 2.5 * MM for im in at_foot]
        foot = max(tops) if tops else BOTTOM_MARGIN
        # Notes are only those under the body: a 7.5 pt line above the foot is something else.
        lowest_body = min((_main(line).baseline for line in body), default=foot)
        notes = [line for line in notes if _main(line).baseline < lowest_body]
        # The note area's rule, where it is drawn, is its top: the estimate's exact place.
        over_notes = [r[3] for r in rules if notes and max(_main(n).baseline for n in notes) < r[1] < lowest_body]
        if over_notes and not wide:
            foot = min(over_notes)
        text = [TextLine(line, index, _kind(line, body_faces), int(_visible(line)[0].left > middle)) for line in body]
        pages.append(Page(index, kind, text, [TextLine(n, index, "note", 0) for n in notes], foot,
                          [im for im in images if im not in wide], middle, top - TOP_MARGIN))
    everywhere = Counter()
    for page in pages:
        steps = Counter()
        for column in (0, 1):
            body = page.body(column)
            for a, b in zip(body, body[1:]):
                steps[round(a.baseline - b.baseline, 1)] += 1
        everywhere.update(steps)
        page.line_height = max((s for s in steps if s > 0), key=lambda s: steps[s], default=0.0)
    line_height = max((s for s in everywhere if s > 0), key=lambda s: everywhere[s], default=14.0)
    for page in pages:
        page.line_height = page.line_height or line_height
    depths = _depths(pages)
    for page in pages:
        page.depth = depths.get(page.line_height, 0.3 * page.line_height)
    return Layout(pdf, pages, _articles(pages), line_height)


def _depths(pages: list[Page]) -> dict[float, float]:
    """Line height → the depth of a body line's box under its baseline. A column that starts at
    the top of the text block (the pages an article goes on to) has its first baseline one line
    box less that depth under the block's top: the least such distance, over the pages."""
    heights: dict[float, float] = {}
    for page in pages:
        for column in (0, 1):
            lines = [line for line in page.lines if line.column == column]
            if lines and lines[0].kind == "body":
                below_top = page.block_top - lines[0].baseline
                if 0 < below_top < page.line_height:
                    heights[page.line_height] = min(heights.get(page.line_height, below_top), below_top)
    return {height: height - above for height, above in heights.items()}


def _kind(line: Line, body_faces: set) -> str:
    main = _main(line)
    if main.em >= TITLE_EM:
        return "title"
    if _face(line) in body_faces:
        return "body"
    return "other"


def _articles(pages: list[Page]) -> list[Article]:
    """Articles in reading order: a title line opens one (a run of title lines is one title)."""
    articles: list[Article] = []
    for page in pages:
        if page.kind != "article":
            continue
        previous = None
        for line in page.lines:
            if line.kind == "title":
                if previous == "title" and articles:
                    articles[-1].title += line.text
                else:
                    if articles:  # the kicker above a title is the new article's
                        before = articles[-1].lines.get(page.index, [])
                        while before and before[-1].kind == "other" and before[-1].baseline > line.baseline:
                            before.pop()
                        if not before:
                            articles[-1].lines.pop(page.index, None)
                    articles.append(Article(line.text, page.index, line.em >= PART_TITLE_EM))
            elif articles:
                articles[-1].lines.setdefault(page.index, []).append(line)
            previous = line.kind
    return articles


# ---------- the counts ----------

def notes_off_their_page(layout: Layout) -> list[str]:
    """A note printed on a page that does not hold its call (a call's number, raised, in the text)."""
    found = []
    for page in layout.pages:
        calls = {number for line in page.lines for number in _calls(line.glyphs)}
        for note in page.notes:
            number = _note_number(note.glyphs)
            if number is not None and number not in calls:
                found.append(f"p{page.index + 1}: note {number} without its call")
    return found


def _calls(glyphs: Line) -> list[str]:
    numbers, run = [], ""
    for g in glyphs:
        if g.em < CALL_EM and g.char.isdigit():
            run += g.char
        elif run:
            numbers.append(run)
            run = ""
    return numbers + ([run] if run else [])


def _note_number(glyphs: Line) -> str | None:
    # A note's first line starts with its number and a quarter-em space (the marker).
    match = re.match(rf"(\d+)[{QUARTER_EM} ]", "".join(g.char for g in glyphs))
    return match.group(1) if match else None


def openings_without_body(layout: Layout) -> list[str]:
    return [f"p{a.opening + 1}: {a.title[:24]!r} opens with no body text" for a in layout.articles
            if not a.body(a.opening)]


def holes(layout: Layout) -> list[str]:
    """On a page from which an article goes on, a column that ends more than one body line above
    its foot, unless a float (an image, a table, a caption) stands at the column's foot. The
    foot is the last line of the column's grid that fits in the text block, above the notes (or
    a wide figure): a column one line short, as a widow kept off or a heading that comes with its
    first lines leaves it, is within a line of it. The white under that last grid line is less
    than a line and no hole: the text block (251 mm) is no whole number of 14 or 17 pt lines,
    and the note rule stands on a grid line with the rest of a line above it (press/grid.py)."""
    found = []
    for page, column, gap in _gaps_going_on(layout):
        free = free_lines(page, gap)
        if free > 1:
            found.append(f"p{page.index + 1} {'LR'[column]}: {free} lines free ({gap / MM:.1f} mm)")
    return found


def _gaps_going_on(layout: Layout):
    """(page, column, white under its last line) of each column of a page its article goes on from."""
    going_on = {page for a in layout.articles for page in a.lines if page < a.last}
    for page in layout.pages:
        if page.index not in going_on:
            continue
        for column in (0, 1):
            gap = _free_below(layout, page, column)
            if gap is not None:
                yield page, column, gap


def free_lines(page: Page, gap: float) -> int:
    """The body lines that would still fit in `gap`, the white under a column's last line: down
    to the note rule, which may stand 1 pt into the last line (press/grid.py, NOTE_SHRINK)."""
    shrink = 1.0 if page.notes else 0.0
    return int((gap + shrink - 0.3) // page.line_height)  # 0.3 pt: what measuring from the PDF may be off by


def white_holes(layout: Layout) -> list[str]:
    """The measure before the grid: white of more than a body line under a column's last line,
    whatever part of it is less than a line of the grid."""
    return [f"p{page.index + 1} {'LR'[column]}: {gap / MM:.1f} mm ({gap / page.line_height:.1f} lines) white"
            for page, column, gap in _gaps_going_on(layout) if gap > page.line_height + 0.5]


def holes_above_floats(layout: Layout) -> list[str]:
    """The holes a float leaves: the next column (the right one, or the next page's left one)
    starts with a picture or a table that did not fit below the text."""
    found = []
    for hole in holes(layout):
        page, column = int(hole[1:hole.index(" ")]) - 1, "LR".index(hole.split()[1][0])
        after = (page, 1) if column == 0 else (page + 1, 0)
        if after[0] < len(layout.pages) and _starts_with_float(layout.pages[after[0]], after[1]):
            found.append(hole)
    return found


def _starts_with_float(page: Page, column: int) -> bool:
    lines = [line for line in page.lines if line.column == column and not _spans(line, page)]
    images = [im for im in page.images if ((im[0] + im[2]) / 2 > page.middle) == bool(column)]
    top_line = max(lines, key=lambda line: line.baseline, default=None)
    if images and (top_line is None or max(im[3] for im in images) > top_line.baseline):
        return True
    return top_line is not None and TABLE_EM[0] <= top_line.em <= TABLE_EM[1]


def _free_below(layout: Layout, page: Page, column: int) -> float | None:
    """The white between a column's last line of text and the foot of the text block, or None
    when a float stands at the column's foot or the column is empty."""
    lines = [line for line in page.lines if line.column == column or _spans(line, page)]
    if not lines:
        return None
    last = min(lines, key=lambda line: line.baseline)
    in_column = [im for im in page.images if (im[0] + im[2]) / 2 > page.middle] if column else \
        [im for im in page.images if (im[0] + im[2]) / 2 <= page.middle]
    if last.kind != "body" or any(im[1] < last.baseline for im in in_column):
        return None  # a caption, a table or a picture at the foot: a float, or not text
    return last.baseline - page.depth - page.foot


def _spans(line: TextLine, page: Page) -> bool:
    glyphs = _visible(line.glyphs)
    return glyphs[0].left < page.middle < glyphs[-1].right


def tails(layout: Layout) -> list[str]:
    """An article that runs onto a page with fewer than TAIL_LINES lines of its text there (its
    source line, set to the right, is not text)."""
    found = []
    for a in layout.articles:
        text = _text_lines(layout, a.body(a.last))
        if a.last != a.opening and len(text) < TAIL_LINES:
            found.append(f"p{a.last + 1}: {a.title[:24]!r} ends with {len(text)} body lines")
    return found


def _text_lines(layout: Layout, lines: list[TextLine]) -> list[TextLine]:
    """Body lines but those set to the right: a line starts at its column's left edge, or an
    indent (2 em at most) in from it."""
    edges: dict[tuple[int, float], float] = {}

    def edge(column: int, em: float) -> float:  # the column's left edge, from every page set alike
        if (column, em) not in edges:  # the same for every line of that column and size: found once
            edges[column, em] = min(_visible(other.glyphs)[0].left for page in layout.pages
                                    for other in page.body(column) if abs(other.em - em) < 0.05)
        return edges[column, em]

    return [line for line in lines if _visible(line.glyphs)[0].left < edge(line.column, line.em) + 2.5 * line.em]


def unbalanced_endings(layout: Layout) -> list[str]:
    """An article ending part-way down a page with its two columns more than one line apart."""
    found = []
    for a in layout.articles:
        page = layout.pages[a.last]
        body = a.body(a.last)
        if not body:
            continue
        ends = {}
        for column in (0, 1):
            column_lines = [line for line in a.lines[a.last] if line.column == column and line.kind != "title"]
            if column_lines:
                ends[column] = min(line.baseline for line in column_lines)
        if len(ends) == 1 and len([line for line in body]) <= 1:
            continue
        low = min(ends.values())
        if low - page.foot < page.line_height and len(ends) == 2:
            continue  # both columns reach the foot: not part-way down
        if len(ends) == 1 or abs(ends[0] - ends[1]) > page.line_height + 0.5:
            spread = abs(ends[0] - ends[1]) if len(ends) == 2 else float("inf")
            found.append(f"p{a.last + 1}: {a.title[:24]!r} columns end {spread / page.line_height:.1f} lines apart")
    return found


def grid_share(layout: Layout) -> tuple[int, int]:
    """(right-column body baselines within 0.5 pt of a left-column one, all right-column body
    baselines), on pages where each column holds at least 5 body lines."""
    on, total = 0, 0
    for page in layout.pages:
        left, right = page.body(0), page.body(1)
        if len(left) < 5 or len(right) < 5:
            continue
        ys = [line.baseline for line in left]
        total += len(right)
        on += sum(1 for line in right if any(abs(line.baseline - y) <= 0.5 for y in ys))
    return on, total


def grid_share_on_left_grid(layout: Layout) -> tuple[int, int]:
    """(right-column body baselines within 0.5 pt of a line of the left column's grid, all
    right-column body baselines), on the same pages as grid_share. The left column's grid goes
    on through its headings, figures, captions and quotes, as a typesetter's does: where a
    block of whole lines stands in the left column, the right column's lines beside it are on
    the grid if they keep its rhythm, though no left line stands beside them."""
    on, total = 0, 0
    for page in layout.pages:
        left, right = page.body(0), page.body(1)
        if len(left) < 5 or len(right) < 5:
            continue
        pitch = page.line_height
        # Each article's columns have a grid of their own: a run of short articles holds one
        # under each article's head.
        for article in layout.articles:
            lines = [line for line in article.lines.get(page.index, []) if line.kind == "body"]
            phases = Counter(round(line.baseline % pitch, 1) for line in lines if line.column == 0)
            if not phases:
                phases = Counter(round(line.baseline % pitch, 1) for line in left)
            phase = phases.most_common(1)[0][0]
            for line in lines:
                if line.column == 1:
                    off = (line.baseline - phase) % pitch
                    on += min(off, pitch - off) <= 0.5
                    total += 1
    return on, total


def calls_at_line_start(layout: Layout) -> list[str]:
    found = []
    for page in layout.pages:
        for line in page.lines:
            glyphs = _visible(line.glyphs)
            if line.kind == "body" and glyphs[0].em < CALL_EM and glyphs[0].char.isdigit():
                found.append(f"p{page.index + 1}: {line.text[:16]!r}")
    return found


def broken_table_cells(layout: Layout) -> list[str]:
    """A table cell's text broken inside a word or number: a line of table type under one at the
    same left edge, one table line lower, that holds one or two characters (not a unit in
    brackets, which a head sets on its own line), or that goes on a number the line above
    stopped in."""
    found = []
    for page in layout.pages:
        cells = [line for line in page.lines if TABLE_EM[0] <= line.em <= TABLE_EM[1]]
        for above in cells:
            for below in cells:
                a, b = _visible(above.glyphs), _visible(below.glyphs)
                step = above.baseline - below.baseline
                if abs(a[0].left - b[0].left) > 1 or not 0.8 * a[0].em < step < 2 * a[0].em:
                    continue
                text = "".join(g.char for g in b)
                split_word = a[-1].char.isdigit() and (b[0].char.isdigit() or b[0].char in ",.%")
                unit = re.fullmatch(r"[（(][^）)]*[）)]", text)
                if (len(b) <= 2 and not unit) or split_word:
                    found.append(f"p{page.index + 1}: {''.join(g.char for g in a)[-12:]!r} / {text[:12]!r}")
    return found


COUNTS = {
    "notes off their call's page": notes_off_their_page,
    "openings without body text": openings_without_body,
    "holes": holes,
    "white over a line (no grid)": white_holes,
    "holes above floats": holes_above_floats,
    "tails": tails,
    "unbalanced endings": unbalanced_endings,
    "note calls at line starts": calls_at_line_start,
    "broken table cells": broken_table_cells,
}


def report(pdf: Path) -> dict[str, list[str]]:
    layout = read_layout(Path(pdf))
    return {name: count(layout) for name, count in COUNTS.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path, nargs="+")
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    for pdf in args.pdf:
        layout = read_layout(pdf)
        print(f"{pdf}: {len(layout.pages)} pages, {len(layout.articles)} articles, body line {layout.line_height} pt")
        for name, count in COUNTS.items():
            found = count(layout)
            print(f"  {name:28} {len(found):3}  {'; '.join(found[:args.show])}")
        for name, share in (("grid share", grid_share), ("grid share, left grid", grid_share_on_left_grid)):
            on, total = share(layout)
            print(f"  {name:28} {on}/{total}" + (f" ({100 * on / total:.0f} %)" if total else ""))


if __name__ == "__main__":
    main()
