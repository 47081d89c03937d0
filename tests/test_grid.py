"""The line grid and balanced endings (issue 21, items 6 and 7), read back from the built PDFs of
both issues: press.pagerules reads the baselines of body lines column by column."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from math import inf

import pypdfium2 as pdfium
import pytest
from conftest import ISSUES, ROOT

from press.pagerules import _visible, body_columns, endings, grid_share, read_lines

_spec = importlib.util.spec_from_file_location("layout_report", ROOT / "tools" / "layout_report.py")
layout_report = sys.modules.setdefault("layout_report", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(layout_report)

EDITIONS = ("", ".zh", ".en")  # the bilingual issue, then each language's edition
# The grid is asked of the third sample issue too (the awkward cases of issue 21).
GRID_ISSUES = sorted({*ISSUES, "2020-09"})


@pytest.fixture(scope="module")
def every_build(session_build):
    """session_build (output folder, what the build printed), 2020-09 included."""
    def of(issue_id: str):
        return session_build(issue_id)

    return of


@pytest.fixture(scope="module")
def every_build_of(every_build):
    return lambda issue_id: every_build(issue_id)[0]


def _pdfs(build_of, issue_id: str):
    out = build_of(issue_id)
    return [out / f"{issue_id}{edition}.pdf" for edition in EDITIONS]


def _articles(issue_id: str, edition: str) -> int:
    """The articles an edition prints: a file per article and language in the issue folder."""
    languages = ("zh", "en") if edition == "" else (edition[1:],)
    return sum(len(list(ISSUES[issue_id].glob(f"*.{lang}.md"))) for lang in languages)


@pytest.mark.parametrize("issue_id", GRID_ISSUES)
def test_right_column_lines_stand_on_the_left_columns_grid(every_build_of, issue_id):
    """At least 95 % of right-column body lines within 0.5 pt of the left column's grid (its
    baselines, whole lines apart), on every page where both columns hold 5 body lines or more."""
    for pdf in _pdfs(every_build_of, issue_id):
        share = grid_share(pdf)
        assert share.pages, f"{pdf.name}: no page with two columns of body text"
        assert share.on_grid >= 0.95 * share.lines, (pdf.name, share)


@pytest.mark.parametrize("issue_id", sorted(ISSUES))
def test_every_article_ending_is_found(build_of, issue_id):
    """One ending per article of the edition: the measure below sees every article end."""
    for pdf, edition in zip(_pdfs(build_of, issue_id), EDITIONS):
        assert len(endings(pdf)) == _articles(issue_id, edition), (pdf.name, endings(pdf))


@pytest.mark.parametrize("issue_id", sorted(ISSUES))
def test_article_endings_are_balanced(build_of, issue_id):
    """Where an article ends part-way down a page, its two columns end within one line of each
    other, unless no layout can balance them: the block at the break between the columns (the
    first of the right column when that is the longer, the last of the left column when that is)
    moves whole, or, a paragraph of 4 lines or more, by 2 lines or more with 2 left behind
    (orphans and widows of 2), and no such move leaves the columns within a line of each other.
    A heading that a move puts below text takes its line of space above again (at a column's top
    it has none). A first block of the right column is moreover as tall as the space the left
    one leaves: WeasyPrint fills the left column first, and balances by the least height that fits."""
    for pdf in _pdfs(build_of, issue_id):
        for ending in endings(pdf):
            if ending.balanced():
                continue
            assert ending.left is not None and ending.right is not None, (pdf.name, ending)
            gap = (ending.left - ending.right) / ending.pitch  # lines the right column runs on
            if gap > 0:
                block, splittable, heading = _first_block(pdf, ending)
            else:
                (block, splittable), heading = _last_block(pdf, ending), _right_starts_with_heading(pdf, ending)
            moves = {block} | (set(range(2, int(block) - 1)) if splittable else set())
            assert all(abs(abs(gap) - 2 * m - heading) > 1 for m in moves), (pdf.name, ending, gap, block, splittable)
            assert gap < 0 or block >= gap - 0.5, (pdf.name, ending, gap, block)


def _right_starts_with_heading(pdf, ending) -> bool:
    """Whether the right column of an ending's page begins with a heading."""
    index = ending.page - 1
    columns = body_columns(pdf, index)
    cuts = [inf, *columns.titles, -inf]
    top, bottom = next((t, b) for t, b in zip(cuts, cuts[1:]) if b < ending.left < t)
    right = [y for y in columns.content[1] if bottom < y < top]
    return bool(right) and _is_heading(pdf, index, right[0])


def _last_block(pdf, ending) -> tuple[float, bool]:
    """The height in lines of the block the left column of an ending ends with (a table or a picture
    under its last body line, from that line to the column's last line), and whether it could be
    split: a paragraph, counted up to its first (indented) line, of 4 lines or more."""
    index = ending.page - 1
    columns = body_columns(pdf, index)
    cuts = [inf, *columns.titles, -inf]
    top, bottom = next((t, b) for t, b in zip(cuts, cuts[1:]) if b < ending.left < t)
    left = [y for y in columns.left if bottom < y < top]
    if left[-1] > ending.left + 0.5:
        return (left[-1] - ending.left) / columns.pitch, False
    starts = _starts(pdf, index, left, right_column=False)
    edge = min(x for x, _ in starts.values())
    lines = 1
    for y, below in zip(left[-2::-1], left[:0:-1]):
        x, em = starts[below]
        if x > edge + 0.9 * em or y - below > columns.pitch + 0.5:  # `below` starts the paragraph
            break
        lines += 1
    return float(lines), lines >= 4


def _starts(pdf, index: int, baselines: list[float], right_column: bool) -> dict[float, tuple[float, float]]:
    """Baseline -> (left of its first glyph, its em) of the body lines of one column of a page."""
    left_edge, _, right_edge, _ = pdfium.PdfDocument(pdf)[index].get_trimbox()
    starts: dict[float, tuple[float, float]] = {}
    for line in map(_visible, read_lines(pdf, index)):
        baseline = round(line[len(line) // 2].baseline, 1) if line else None
        if baseline in baselines and (line[0].left > (left_edge + right_edge) / 2) == right_column:
            starts[baseline] = min(starts.get(baseline, (inf, 0.0)), (line[0].left, line[0].em))
    return starts


def _first_block(pdf, ending) -> tuple[float, bool, bool]:
    """The height in lines of the block the right column of an ending starts with, whether
    it could be split, and whether it is a heading (with the lines kept with it); split: a paragraph (its lines down to the next indented one, or to a gap) of 4
    lines or more. A block that is not body text (a table, a picture, a heading) reaches from the
    columns' top down to the right column's first body line."""
    index = ending.page - 1
    columns = body_columns(pdf, index)
    cuts = [inf, *columns.titles, -inf]
    top, bottom = next((t, b) for t, b in zip(cuts, cuts[1:]) if b < ending.right < t)
    # The columns' top: the right column's first line, or the left column's first body line when
    # that is higher (a picture at the top of the right column has no text above its caption).
    right = [y for y in columns.right if bottom < y < top]
    first = max([y for y in columns.content[1] if bottom < y < top] + [y for y in columns.left if bottom < y < top])
    if right[0] < first - 0.5:
        above = [y for y in columns.content[1] if right[0] < y < top]
        if above and all(_is_heading(pdf, index, y) for y in above):
            # A heading never ends a column: it goes with the first two lines of its paragraph (orphans).
            return (first - right[0]) / columns.pitch + 2, False, True
        return (first - right[0]) / columns.pitch, False, False
    starts = _starts(pdf, index, right, right_column=True)
    edge = min(x for x, _ in starts.values())
    lines = 1
    for above, y in zip(right, right[1:]):
        x, em = starts[y]
        if x > edge + 0.9 * em or above - y > columns.pitch + 0.5:  # the next paragraph, or a block between
            break
        lines += 1
    return float(lines), lines >= 4, False


def _is_heading(pdf, index: int, baseline: float) -> bool:
    """Whether the right column's line at `baseline` is a heading: set wholly in a bold, sans or
    italic face (the body is in the regular serif)."""
    left_edge, _, right_edge, _ = pdfium.PdfDocument(pdf)[index].get_trimbox()
    for line in map(_visible, read_lines(pdf, index)):
        if line and line[0].left > (left_edge + right_edge) / 2 and abs(line[len(line) // 2].baseline - baseline) < 0.5:
            return all(any(face in g.font for face in ("Bold", "Sans", "Italic")) for g in line)
    return False


def _column_heads(pdf, index: int):
    """(heading baseline, baseline of the other column's first line) for each column of the page
    that starts with a heading: a line in a bold face or set larger than the body (smaller than a
    title) that is its column's first line. The columns' first lines are looked for from the
    highest first body line of the page up to two lines above it (a column that starts lower,
    under a picture, is not where a heading stands at the top of a column)."""
    columns = body_columns(pdf, index)
    if columns is None or not columns.left or not columns.right:
        return []
    left_edge, _, right_edge, _ = pdfium.PdfDocument(pdf)[index].get_trimbox()
    middle = (left_edge + right_edge) / 2
    body_em = _body_em(pdf, index)
    low = max(columns.left[0], columns.right[0]) - 0.5
    high = low + 0.5 + 2 * columns.pitch
    firsts: dict[bool, tuple[float, bool]] = {}
    for line in map(_visible, read_lines(pdf, index)):
        if not line or not low <= line[0].baseline <= high:
            continue
        ems = [round(g.em, 1) for g in line]
        heading = (min(ems) > body_em or "Bold" in line[0].font) and max(ems) < 13
        if heading or ems[len(ems) // 2] == body_em:
            side = line[0].left > middle
            firsts[side] = max(firsts.get(side, (-1.0, False)), (line[0].baseline, heading))
    return [(firsts[side][0], firsts[not side][0]) for side in firsts if firsts[side][1] and (not side) in firsts]


def _body_em(pdf, index: int) -> float:
    """The size most of the page's text is set in: counted by glyph, not by line, since a table's
    cells are read as short lines of their own (2020-06 page 10: 23 cells against 21 body lines)."""
    lines = [v for v in map(_visible, read_lines(pdf, index)) if len(v) >= 5]
    ems = Counter()
    for v in lines:
        ems[round(v[len(v) // 2].em, 1)] += len(v)
    return ems.most_common(1)[0][0]


@pytest.mark.parametrize("issue_id", sorted(ISSUES))
def test_a_heading_at_the_top_of_a_column_is_level_with_the_other_columns_first_line(build_of, issue_id):
    """A heading that starts a column has no space above it: its baseline is within 1 pt of the first
    baseline of the column beside it (a heading's size differs from the body's by a point)."""
    pdf = _pdfs(build_of, issue_id)[0]
    heads = [(page + 1, pair) for page in range(2, len(pdfium.PdfDocument(pdf))) for pair in _column_heads(pdf, page)]  # after cover and contents
    assert heads, f"{pdf.name}: no column starts with a heading"
    assert all(abs(a - b) <= 1.0 for _, (a, b) in heads), heads


def _segments(columns):
    """(left, right) body baselines of each article on a page: each title starts a grid of its own."""
    cuts = [inf, *columns.titles, -inf]
    for top, bottom in zip(cuts, cuts[1:]):
        yield [y for y in columns.left if bottom < y < top], [y for y in columns.right if bottom < y < top]


@pytest.mark.parametrize("issue_id", GRID_ISSUES)
def test_lines_facing_each_other_share_a_baseline(every_build_of, issue_id):
    """Every right-column body line that has a left-column body line beside it (less than a line
    away) stands on that line's baseline, within 0.5 pt, on every page of every edition. The share
    of all right-column lines beside a left-column body line is lower (74 % on 2020-02): the rest
    face a picture, a table, a heading or its line of space above, or the end of the left column."""
    for pdf in _pdfs(every_build_of, issue_id):
        facing = off = 0
        for index in range(2, len(pdfium.PdfDocument(pdf))):  # after the cover and the contents
            columns = body_columns(pdf, index)
            if columns is None:
                continue
            for left, right in _segments(columns):
                for y in right:
                    nearest = min(left, key=lambda x: abs(x - y), default=None)
                    if nearest is not None and abs(nearest - y) < columns.pitch - 0.5:
                        facing += 1
                        off += abs(nearest - y) > 0.5
        assert facing and off == 0, (pdf.name, facing, off)


@pytest.mark.parametrize("issue_id", GRID_ISSUES)
def test_headings_stand_on_the_body_grid(every_build_of, issue_id):
    """A heading (a line in a bold face, set between the body's size and a title's, in one column)
    has its baseline on its column's body grid within 0.2 pt, though set a size larger: on the
    baselines of the lines beside it. (Before press.grid moved them, an 11 pt heading stood 0.45 pt
    below the 10 pt line beside it, a 10.5 pt English one 0.35 pt.)"""
    for pdf in _pdfs(every_build_of, issue_id):
        headings = []
        for index in range(2, len(pdfium.PdfDocument(pdf))):  # after the cover and the contents
            columns = body_columns(pdf, index)
            if columns is None or not columns.left:
                continue
            left_edge, _, right_edge, _ = pdfium.PdfDocument(pdf)[index].get_trimbox()
            middle = (left_edge + right_edge) / 2
            body_em = _body_em(pdf, index)
            for line in map(_visible, read_lines(pdf, index)):
                if not line or not (line[-1].right <= middle or line[0].left > middle):
                    continue
                main = line[len(line) // 2]
                if "Bold" not in main.font or not body_em <= round(main.em, 1) < 13:
                    continue
                grid = next((left or right for left, right in _segments(columns)
                             if (left or right) and min(left + right) < main.baseline < max(left + right)), None)
                if grid:
                    off = (grid[0] - main.baseline) % columns.pitch
                    headings.append((index + 1, "".join(g.char for g in line)[:12], round(min(off, columns.pitch - off), 2)))
        assert headings, f"{pdf.name}: no heading between body lines"
        assert all(off <= 0.2 for *_, off in headings), (pdf.name, [h for h in headings if h[2] > 0.2])


def _uneven_endings(pdf) -> list[int]:
    """The pages (1-based) where an article ends part-way down with its columns more than a line
    apart, as tools/layout_report.py counts them."""
    layout = layout_report.read_layout(pdf)
    return [int(found.split(":")[0][1:]) for found in layout_report.unbalanced_endings(layout)]


@pytest.mark.parametrize("issue_id", GRID_ISSUES)
def test_an_ending_left_uneven_is_a_warning_at_its_page(every_build, issue_id):
    """Each article ending whose columns end more than a line apart (part-way down its last page)
    is said as a warning of the build, on that page of the bilingual PDF, naming the block at the
    break and what to do: the make-up found no float move or paragraph a line looser or tighter
    that evens it (a short tail on a page of its own is warned of as such)."""
    out, stderr = every_build(issue_id)
    warned = {int(m.group(1)) for m in re.finditer(
        rf": warning: page (\d+) of {issue_id}\.pdf: the article's columns end [\d.]+ lines apart on its last page: "
        r"this (?:figure|table|heading|paragraph) stands at the break between the columns", stderr)}
    # An article that ends with a short tail on a page of its own is warned of as that (press/makeup.py).
    warned |= {int(m.group(1)) for m in re.finditer(
        rf": warning: page (\d+) of {issue_id}\.pdf: the article ends with \d+ line\(s\) on a page of their own", stderr)}
    assert set(_uneven_endings(out / f"{issue_id}.pdf")) <= warned, stderr


def test_the_endings_of_2020_02_are_balanced(every_build):
    """Every article of 2020-02 can end with its columns within a line of each other (its last
    Chinese article, which ended 2 lines apart, does with one paragraph a line looser or tighter),
    and none is warned of."""
    out, stderr = every_build("2020-02")
    for edition in EDITIONS:
        assert _uneven_endings(out / f"2020-02{edition}.pdf") == [], edition
    assert "columns end" not in stderr
