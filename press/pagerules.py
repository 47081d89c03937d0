"""Rules of a well-set page, checked on the printed result.

Chinese rules follow the W3C Requirements for Chinese Text Layout (clreq,
its section anchors in brackets); the English ones are a compositor's usual
limits on hyphenation and word spacing. The rules themselves (the character
classes, the sets and the limits) are press/rules.py's, which the composer
reads too. The rules take lines of positioned
glyphs (character, left and right edge of its advance, the em it was set
in) and name every place that breaks them. They know nothing of this
project: `read_lines` reads such lines from any PDF, so another
typesetter's output can be checked the same way.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from math import inf
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .rules import (CJK_PUNCTUATION, CURLY_QUOTES, HALF_BLANK_MARKS, HAN_WESTERN_GAP, HYPHENS, INSEPARABLE,
                    IS_HAN as _IS_HAN, IS_WESTERN as _IS_WESTERN, MAX_HYPHENATED_LINES, NO_LINE_END, NO_LINE_START,
                    OPENING_MARKS, PUNCTUATION_PAIR, WORD_JOINER, WORD_SPACE_MAX)

# A contents line's leader and page number: two dots or more (a long title leaves room for few).
_LEADER = re.compile(r"\.( ?\.)+\s*\d+$")


class Glyph(NamedTuple):
    char: str
    left: float
    right: float
    em: float  # the font size it was set in, in the units of left and right
    font: str = ""  # the name of the font, where known
    baseline: float = 0.0  # the y of its origin (PDF units, up from the page's foot), where known


Line = list[Glyph]


def _visible(line: Line) -> Line:
    return [g for g in line if not g.char.isspace() and g.char != WORD_JOINER]


def prohibited_line_start(line: Line) -> list[str]:
    """[#prohibition_rules_for_line_start_end] No line starts with a closing mark or a middle dot."""
    glyphs = _visible(line)
    return [f"line starts with {glyphs[0].char!r}"] if glyphs and glyphs[0].char in NO_LINE_START else []


def prohibited_line_end(line: Line) -> list[str]:
    """[#prohibition_rules_for_line_start_end] No line ends with an opening mark."""
    glyphs = _visible(line)
    return [f"line ends with {glyphs[-1].char!r}"] if glyphs and glyphs[-1].char in NO_LINE_END else []


NOTE_CALL = set("0123456789,")


def note_call_line_start(line: Line) -> list[str]:
    """[#prohibition_rules_for_line_start_end] A note's call belongs to the word before it: no
    line starts with one, and the
    mark after it obeys the line-start rules as if it were not there. A call is a run of
    digits set smaller than the text it stands in (a superscript)."""
    glyphs = _visible(line)
    k = next((i for i, g in enumerate(glyphs) if g.char not in NOTE_CALL), len(glyphs))
    if not 0 < k < len(glyphs) or any(g.em > 0.8 * glyphs[k].em for g in glyphs[:k]):
        return []
    call = "".join(g.char for g in glyphs[:k])
    after = f", then {glyphs[k].char!r}" if glyphs[k].char in NO_LINE_START else ""
    return [f"line starts with the note call {call!r}{after}"]


def split_pair(previous: Line, line: Line) -> list[str]:
    """[#prohibition_rules_for_unbreakable_marks] ―― and …… are never split across lines."""
    before, after = _visible(previous), _visible(line)
    if before and after and before[-1].char == after[0].char and before[-1].char in INSEPARABLE:
        return [f"{before[-1].char * 2!r} split across lines"]
    return []


def han_western_gaps(line: Line, low: float = HAN_WESTERN_GAP[0], high: float = HAN_WESTERN_GAP[1]) -> list[str]:
    """[#mixed_text_composition_in_horizontal_writing_mode] Between Han characters and Latin
    letters or digits: a quarter em, within [low, high].
    Text of two sizes side by side (a heading and its translation) is two items, not one run."""
    found = []
    glyphs = _visible(line)
    for a, b in zip(glyphs, glyphs[1:]):
        if abs(a.em - b.em) > 0.01 * a.em:
            continue
        han = a if _IS_HAN.match(a.char) else b
        if (_IS_HAN.match(a.char) and _IS_WESTERN.match(b.char)) or (_IS_WESTERN.match(a.char) and _IS_HAN.match(b.char)):
            gap = (b.left - a.right) / han.em
            if not low <= gap <= high:
                found.append(f"{a.char}{b.char}: gap {gap:.2f} em")
    return found


def punctuation_pairs(line: Line, limit: float = PUNCTUATION_PAIR) -> list[str]:
    """[#h-adjustment_of_adjacent_punctuation_marks] Two marks side by side take at most 1.5 em:
    the blank half of one goes."""
    found = []
    glyphs = _visible(line)
    for a, b in zip(glyphs, glyphs[1:]):
        if a.char in HALF_BLANK_MARKS and b.char in HALF_BLANK_MARKS:
            # From the first mark's start to the second's nominal end (a full em): what follows
            # the pair, such as the spacing of a justified line, is not part of it.
            width = (b.left - a.left) / a.em + b.em / a.em
            if width > limit + 0.01:
                found.append(f"{a.char}{b.char}: {width:.2f} em")
    return found


def squeezed_marks(line: Line, limit: float = 0.9) -> list[str]:
    """[#punctuation_width_adjustment] A single mark inside a line keeps its full width: it is
    never squeezed to justify."""
    found = []
    glyphs = _visible(line)
    for i in range(1, len(glyphs) - 1):
        mark, before, after = glyphs[i], glyphs[i - 1], glyphs[i + 1]
        # Curly quotes and apostrophes beside Latin letters are English marks, set proportionally.
        western = mark.char in CURLY_QUOTES and (before.char.isascii() or after.char.isascii())
        if mark.char in HALF_BLANK_MARKS and not western \
                and before.char not in CJK_PUNCTUATION and after.char not in CJK_PUNCTUATION:
            width = (after.left - mark.left) / mark.em
            if width < limit:
                found.append(f"{mark.char}: {width:.2f} em")
    return found


def lonely_last_character(line: Line) -> list[str]:
    """No paragraph ends with one Han character alone on its last line."""
    glyphs = [g for g in _visible(line) if g.char not in CJK_PUNCTUATION]
    # A unit in brackets alone, as a table head sets it under its label, is not a lonely character.
    unit = "".join(g.char for g in _visible(line)) in {f"（{g.char}）" for g in glyphs}
    if len(glyphs) == 1 and _IS_HAN.match(glyphs[0].char) and not unit:
        return [f"{glyphs[0].char!r} alone on a line"]
    return []


def hyphenated_runs(lines: list[Line], most: int = MAX_HYPHENATED_LINES) -> list[str]:
    """No more than `most` hyphenated line ends in a row."""
    found, run = [], []
    for line in lines + [[]]:
        glyphs = _visible(line)
        if len(glyphs) > 1 and glyphs[-1].char in HYPHENS and glyphs[-2].char.isalpha():
            run.append("".join(g.char for g in line)[-8:])
            continue
        if len(run) > most:
            found.append(f"{len(run)} hyphenated lines in a row: {' / '.join(run)}")
        run = []
    return found


def wide_word_spaces(line: Line, limit: float = WORD_SPACE_MAX) -> list[str]:
    """No word space in an English line wider than about twice normal (WORD_SPACE_MAX, 0.6 em)."""
    return [f"{previous.char} {glyph.char}: word space {gap:.2f} em"
            for previous, glyph, gap, spaced in _gaps(line)
            if spaced and previous.char.isalnum() and glyph.char.isalnum() and gap > limit]


def _gaps(line: Line):
    """(glyph, next glyph, gap in the next one's em, whether a space character lies between)
    for each two Latin (ASCII) glyphs that follow one another in a line."""
    previous, spaced = None, False
    for glyph in line:
        if glyph.char.isspace():
            spaced = True
            continue
        if previous is not None and previous.char.isascii() and glyph.char.isascii():
            yield previous, glyph, (glyph.left - previous.right) / glyph.em, spaced
        previous, spaced = glyph, False


def column_problems(lines: list[Line], middle: float) -> list[str]:
    """Rules over the body lines of a column (those set in the page's most common size and
    face; a page has one column or two). No column starts with the last line of a paragraph
    (a widow) or ends with the first line of one (an orphan): an indented line starts a
    paragraph, a line that stops short of the column's right edge ends one. And
    [#h-compression_of_punctuation_marks_at_line_start] an
    opening mark that starts a line is not set in by its blank half: its ink is at the edge.
    `middle` is the x of the middle of the page's trim: lines that start right of it are in
    the right-hand column."""
    def face(line: Line) -> tuple[float, str]:
        glyphs = _visible(line)
        return round(glyphs[len(glyphs) // 2].em, 1), glyphs[len(glyphs) // 2].font

    faces = [face(line) for line in lines if len(_visible(line)) >= 5]
    if not faces:
        return []
    body_face = Counter(faces).most_common(1)[0][0]  # a tie: the face met first on the page
    body = body_face[0]
    columns: dict[bool, list[Line]] = {}
    for line in lines:
        glyphs = _visible(line)
        if glyphs and face(line) == body_face:
            columns.setdefault(glyphs[0].left > middle, []).append(glyphs)
    found = []
    for column in columns.values():
        left = statistics.median(line[0].left for line in column)
        right = max(line[-1].right for line in column)

        def indented(line: Line) -> bool:  # a first-line indent, not a line set to the right
            return left + 0.9 * body < line[0].left < left + 2.5 * body

        def full(line: Line) -> bool:
            return line[-1].right > right - 0.6 * body

        first, last = column[0], column[-1]
        if len(column) > 1 and not indented(first) and not full(first) and indented(column[1]):
            found.append(f"widow: {''.join(g.char for g in first)[:20]!r} begins a column")
        if len(column) > 1 and indented(last) and full(last):
            found.append(f"orphan: {''.join(g.char for g in last)[:20]!r} ends a column")
        for line in column:
            # A Chinese (full-width) mark: a Western quotation mark has no blank half.
            if line[0].char in OPENING_MARKS and "CJK" in line[0].font \
                    and left - 0.25 * body < line[0].left < left + 0.75 * body:
                found.append(f"{''.join(g.char for g in line)[:10]!r}: the opening mark keeps its blank half")
    return found


def cell_breaks(lines: list[Line]) -> list[tuple[str, str]]:
    """Where table cells go on to another line: (the text before, the text after). A table is
    found by its rows: three or more runs of text of one size, smaller than the body's, on one
    baseline. A run continues the cell above it when it starts where that one starts (or ends
    where it ends: a right-aligned cell) one line lower. A unit in brackets alone is no break
    of its cell: a table's head sets it on a line of its own under its label."""
    runs = [v for v in map(_visible, lines) if v]
    sizes = Counter(round(g.em, 1) for v in runs for g in v)  # the body's size: the most glyphs
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    row = Counter((round(v[0].baseline), round(v[0].em, 1)) for v in runs)
    rows = [(base, em) for (base, em), count in row.items() if count >= 3 and em < body]

    def in_table(run: Line) -> bool:  # on a row, or a few lines from one (its cells' other lines)
        return any(abs(em - run[0].em) < 0.05 and abs(baseline - run[0].baseline) <= 4 * em for baseline, em in rows)

    found = []
    for above in filter(in_table, runs):
        em = above[0].em
        for below in runs:
            text = "".join(g.char for g in below)
            if abs(below[0].em - em) > 0.01 or not 0.5 * em < above[0].baseline - below[0].baseline <= 1.8 * em \
                    or re.fullmatch(r"[（(][^（）()]*[）)]", text):
                continue
            if abs(below[0].left - above[0].left) < 0.5 or abs(below[-1].right - above[-1].right) < 0.5:
                found.append(("".join(g.char for g in above), text))
    return found


TERM = 6  # Han characters: a run this short in a table cell is a term, never broken


def split_cells(lines: list[Line]) -> list[str]:
    """A table cell broken inside a number, between a number and its measure word (11 号), or
    inside a run of at most TERM Han characters (技术开发): none of them ever breaks."""
    found = []
    for before, after in cell_breaks(lines):
        end = re.search(rf"{_IS_HAN.pattern}+$", before)
        start = re.match(rf"{_IS_HAN.pattern}+", after)
        if before[-1:].isdigit() and (after[:1].isdigit() or start) or before[-1:] in ",." and after[:1].isdigit():
            found.append(f"a number broken: {before[-8:]!r} / {after[:8]!r}")
        elif end and start and len(end[0]) + len(start[0]) <= TERM:
            found.append(f"a term broken: {end[0]!r} / {start[0]!r}")
    return found


def check_lines(lines: list[Line]) -> dict[str, list[str]]:
    """Every rule over the lines of one page, in reading order: rule name → what breaks it."""
    found: dict[str, list[str]] = {"hyphenated lines": hyphenated_runs(lines)}
    previous: Line = []
    for line in lines:
        for name, problems in (
            ("line start", prohibited_line_start(line)),
            ("line end", prohibited_line_end(line)),
            ("note call", note_call_line_start(line)),
            ("split pair", split_pair(previous, line)),
            ("Han–Western gap", han_western_gaps(line)),
            ("punctuation pair", punctuation_pairs(line)),
            ("squeezed mark", squeezed_marks(line)),
            ("lonely last character", lonely_last_character(line)),
            ("word space", wide_word_spaces(line)),
        ):
            found.setdefault(name, []).extend(problems)
        previous = line
    return found


def read_lines(pdf: Path, page: int) -> list[Line]:
    """The text lines of one page of a PDF, in content order, as glyphs (pdfium's loose boxes:
    the advance of each glyph). A line ends where pdfium puts a line break, or where the text
    goes back to the left or moves to another baseline."""
    return [list(line) for line in _lines_drawn(Path(pdf).read_bytes(), page)]


# The rules read the same pages again and again (tests/test_grid.py asked 610 times for 88 pages),
# a glyph at a time through pdfium: each page is read once for the bytes of its file (a file
# written again is read again). About 0.4 MB a page: at most about 100 MB.
@lru_cache(maxsize=256)
def _lines_drawn(pdf: bytes, page: int) -> tuple[tuple[Glyph, ...], ...]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    textpage = pdfium.PdfDocument(_as_drawn(pdf))[page].get_textpage()
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[Line] = []
    line: Line = []
    last, broken = None, False
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            # pdfium adds spaces where it sees a gap and line breaks where it sees a new line
            # (also after a raised note call, where the text runs on: see _new_line).
            broken = broken or char in "\r\n"
            continue
        left, bottom, right, _ = textpage.get_charbox(i, loose=True)
        pdfium_c.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix))
        em = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * abs(matrix.d or 1.0)
        size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, None, 0, None)
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, name, size, None)
        if line and last is not None and _new_line(line[-1], left, bottom, em, last, broken):
            lines.append(line)
            line = []
        broken = False
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
        line.append(Glyph(char, left, right, em, name.value.decode("latin-1"), y.value))
        last = (left, bottom)
    if line:
        lines.append(line)
    return tuple(tuple(line) for line in lines)


def word_spaces(line: Line) -> list[float]:
    """The word spaces of an English line, in the em of the letter after each: the gap between
    two Latin letters, digits or marks around a space. A justified line may draw no space
    character at all (its spaces are advances), so a gap of more than 0.1 em counts as well."""
    return [gap for _, glyph, gap, spaced in _gaps(line) if glyph.char not in "-" and (spaced or gap > 0.1)]


class Measure(NamedTuple):
    """How the body lines of a PDF are set: English justified lines and their word spaces,
    hyphenated line ends and their longest run, short Chinese lines (ending 1-8 em before
    the column's edge without ending their paragraph) and all Chinese body lines."""
    english_lines: int
    loose: list[tuple[int, float, str]]  # (page, widest space in em, text) over 0.6 em
    spaces: list[float]
    hyphenated: int
    longest_hyphen_run: int
    chinese_lines: int
    short: list[tuple[int, float, str]]  # (page, em short, text)


def measure_pdf(pdf: Path) -> Measure:
    """The body lines of every page (the page's most common size and face, as column_problems
    takes them), column by column. A line is justified if it reaches the column's right
    edge and is not followed by a paragraph's indented first line."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    english = chinese = hyphenated = longest = 0
    loose, spaces, short = [], [], []
    for index in range(len(document)):
        lines: list[Line] = []
        for line in read_lines(pdf, index):
            glyphs, last = _visible(line), _visible(lines[-1]) if lines else []
            if glyphs and last and abs(glyphs[0].left - last[-1].right) < 0.5 * last[-1].em:
                lines[-1] = lines[-1] + line  # a raised note call splits a line in two: one line
            else:
                lines.append(line)
        left_edge, _, right_edge, _ = document[index].get_trimbox()
        middle = (left_edge + right_edge) / 2
        faces = [(round(v[len(v) // 2].em, 1), v[len(v) // 2].font) for v in map(_visible, lines) if len(v) >= 5]
        if not faces:
            continue
        body_face = Counter(faces).most_common(1)[0][0]  # a tie: the face met first on the page
        columns: dict[bool, list[Line]] = {}
        for line in lines:
            glyphs = _visible(line)
            if len(glyphs) >= 2 and (round(glyphs[len(glyphs) // 2].em, 1), glyphs[len(glyphs) // 2].font) == body_face:
                columns.setdefault(glyphs[0].left > middle, []).append(line)
        for column in columns.values():
            visible = [_visible(line) for line in column]
            body = body_face[0]
            left = statistics.median(v[0].left for v in visible)
            right = max(v[-1].right for v in visible)
            run = 0
            for i, (line, glyphs) in enumerate(zip(column, visible)):
                text = "".join(g.char for g in line)
                ends_paragraph = i + 1 < len(visible) and left + 0.9 * body < visible[i + 1][0].left < left + 2.5 * body
                full = glyphs[-1].right > right - 0.6 * body
                if _IS_HAN.search(text):
                    chinese += 1
                    gap = (right - glyphs[-1].right) / body
                    if 1 <= gap <= 8 and not ends_paragraph and i + 1 < len(visible):
                        short.append((index + 1, round(gap, 2), text))
                    continue
                if not full or ends_paragraph or _LEADER.search(text):  # a contents line's leader is no word space
                    continue
                found = word_spaces(line)
                if not found:
                    continue
                english += 1
                spaces += found
                if max(found) > WORD_SPACE_MAX:
                    loose.append((index + 1, round(max(found), 2), text))
                if glyphs[-1].char in HYPHENS and glyphs[-2].char.isalpha():
                    hyphenated += 1
                    run += 1
                    longest = max(longest, run)
                else:
                    run = 0
    return Measure(english, loose, spaces, hyphenated, longest, chinese, short)


def _new_line(previous: Glyph, left: float, bottom: float, em: float, last: tuple[float, float], broken: bool) -> bool:
    """Whether a glyph at (left, bottom) starts a new line after `previous`, set at `last`
    (`broken`: pdfium saw a line break between them): the text goes back to the left, or
    moves to another baseline, except by the rise of a superscript (a note call) that the
    text runs on from; or it jumps right with no space between, as from one table cell to
    the next."""
    size = max(em, previous.em)
    if left < last[0] - 1:
        return True
    runs_on = previous.right - 1 <= left <= previous.right + size and abs(bottom - last[1]) < 0.8 * size
    if broken or abs(bottom - last[1]) > em / 2:
        return not runs_on
    return left > previous.right + 1.25 * size and not previous.char.isspace()


_ACTUAL_TEXT = re.compile(rb"/ActualText\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))")


@lru_cache(maxsize=4)
def _as_drawn(pdf: bytes) -> bytes:
    """The PDF without the ActualText of marked content. The rules are about where glyphs
    are drawn, and pdfium spreads the characters of an ActualText span evenly over the span
    (press/composition.py puts one around each widened run of a justified Chinese line).
    Keyed by the PDF's bytes, not its path: a file written again is never read as it was."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for page in writer.pages:
        contents = page.get("/Contents")
        if contents is None:
            continue
        contents = contents.get_object()
        for stream in (list(contents) if isinstance(contents, list) else [contents]):
            stream = stream.get_object()
            data = stream.get_data()
            if b"/ActualText" in data:
                stream.set_data(_ACTUAL_TEXT.sub(b"", data))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def check_pdf(pdf: Path) -> Iterator[tuple[int, str, str]]:
    """(1-based page, rule, problem) for every problem on every page of a PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        lines = read_lines(pdf, index)
        found = check_lines(lines)
        left, _, right, _ = document[index].get_trimbox()
        found["column"] = column_problems(lines, (left + right) / 2)
        found["table cell"] = split_cells(lines)
        for rule, problems in found.items():
            for problem in problems:
                yield index + 1, rule, problem


class Columns(NamedTuple):
    """The body lines of one page by column, as baselines (PDF units up from the page's foot,
    top line first), with the article titles set on the page and the body's line pitch."""
    left: list[float]
    right: list[float]
    titles: list[float]  # baselines of article titles: lines set at 13 units or more
    pitch: float  # the body's line height: the commonest step from one baseline to the next
    # Baselines of everything set in each column, body or not (headings, table cells, captions):
    # lines of at least 0.79 of the body's size (notes are smaller), within one column (a wide
    # figure's caption spans both), not a folio (digits alone) nor a running head.
    content: tuple[list[float], list[float]] = ([], [])


def body_columns(pdf: Path, index: int) -> Columns | None:
    """The page's body lines (its most common size and face, as column_problems takes them)
    in its two columns; None for a page without body text."""
    import pypdfium2 as pdfium

    lines = [_visible(line) for line in read_lines(pdf, index)]
    lines = [line for line in lines if line]

    def face(line: Line) -> tuple[float, str]:
        return round(line[len(line) // 2].em, 1), line[len(line) // 2].font

    faces = [face(line) for line in lines if len(line) >= 5]
    if not faces:
        return None
    body = Counter(faces).most_common(1)[0][0]
    left_edge, _, right_edge, _ = pdfium.PdfDocument(pdf)[index].get_trimbox()
    middle = (left_edge + right_edge) / 2
    columns: dict[bool, set[float]] = {False: set(), True: set()}
    for line in lines:
        if face(line) == body:
            # A raised note call splits a line in two, on one baseline: one line.
            columns[line[0].left > middle].add(round(line[len(line) // 2].baseline, 1))
    left, right = (sorted(columns[side], reverse=True) for side in (False, True))
    steps = [round(a - b, 1) for column in (left, right) for a, b in zip(column, column[1:])]
    pitch = max(set(steps), key=steps.count) if steps else body[0] * 1.5
    titles = sorted({round(line[0].baseline, 1) for line in lines if face(line)[0] >= 13}, reverse=True)
    content: dict[bool, set[float]] = {False: set(), True: set()}
    tops = sorted({line[0].baseline for line in lines}, reverse=True)
    # A running head (or a kicker) stands apart above the text: more than two lines above the next.
    head = tops[0] if len(tops) > 1 and tops[0] - tops[1] > 1.9 * pitch else inf
    for line in lines:
        within = (line[-1].right <= middle or line[0].left > middle) and line[0].baseline < head - 0.5
        if within and max(g.em for g in line) >= 0.79 * body[0] and not "".join(g.char for g in line).isdigit():
            content[line[0].left > middle].add(round(line[len(line) // 2].baseline, 1))
    return Columns(left, right, titles, pitch, tuple(sorted(content[side], reverse=True) for side in (False, True)))


class GridShare(NamedTuple):
    """Right-column body lines on the left column's baselines, over the pages where both
    columns hold enough body lines."""
    beside: int  # within the tolerance of a left-column line's baseline
    on_grid: int  # within the tolerance of the left column's grid: its first baseline (under the
    # same title) and whole line pitches from it, beside a figure, a table or a heading too
    lines: int  # right-column body lines on those pages
    pages: list[tuple[int, int, int, int]]  # (1-based page, beside, on the grid, lines) of each


def grid_share(pdf: Path, tolerance: float = 0.5, least: int = 5) -> GridShare:
    """How many right-column body lines stand on a left-column baseline, on the pages where both
    columns hold at least `least` body lines."""
    import pypdfium2 as pdfium

    pages = []
    for index in range(len(pdfium.PdfDocument(pdf))):
        columns = body_columns(pdf, index)
        if columns is None or len(columns.left) < least or len(columns.right) < least:
            continue
        beside = on_grid = 0
        # Each article of a run (under its own title) starts a grid of its own.
        cuts = [inf, *columns.titles, -inf]
        for top, bottom in zip(cuts, cuts[1:]):
            left = [x for x in columns.left if bottom < x < top]
            right = [y for y in columns.right if bottom < y < top]
            beside += sum(any(abs(y - x) <= tolerance for x in left) for y in right)
            pitch = columns.pitch
            on_grid += sum(bool(left) and min((left[0] - y) % pitch, -(left[0] - y) % pitch) <= tolerance
                           for y in right)
        pages.append((index + 1, beside, on_grid, len(columns.right)))
    return GridShare(sum(p[1] for p in pages), sum(p[2] for p in pages), sum(p[3] for p in pages), pages)


class Ending(NamedTuple):
    """Where the columns of an article's last page (or of its part above the next title) end."""
    page: int  # 1-based
    left: float | None  # the last baseline of each column (a table's or caption's too), None if none
    right: float | None
    pitch: float

    def balanced(self, tolerance: float = 0.5) -> bool:
        """The columns end within one line of each other."""
        if self.left is None or self.right is None:
            return False
        return abs(self.left - self.right) <= self.pitch + tolerance


def endings(pdf: Path, first: int = 3) -> list[Ending]:
    """Every place an article ends, from page `first` on (an edition's cover and contents come
    first): above the title of one that follows it on the page, or on the page before one whose
    first title stands above all its body lines (or on the last page)."""
    import pypdfium2 as pdfium

    pages = [body_columns(pdf, index) for index in range(len(pdfium.PdfDocument(pdf)))]
    found = []
    for index, columns in enumerate(pages):
        if index + 1 < first or columns is None or not (columns.left or columns.right):
            continue
        following = pages[index + 1] if index + 1 < len(pages) else None
        opens_next = following is None or (bool(following.titles) and (
            not (following.left or following.right) or following.titles[0] > max(following.left + following.right)))
        cuts = [inf, *columns.titles, -inf]
        for top, bottom in zip(cuts, cuts[1:]):
            if not any(bottom < y < top for y in columns.left + columns.right) or (bottom == -inf and not opens_next):
                continue
            left, right = ([y for y in side if bottom < y < top] for side in columns.content)
            found.append(Ending(index + 1, min(left, default=None), min(right, default=None), columns.pitch))
    return found
