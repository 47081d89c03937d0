"""Prepare Chinese text for layout, following the W3C clreq rules.

WeasyPrint lays out Chinese as a browser does. What a Chinese typesetter
adds is done here, on the text, before layout.

- Han and Western text [clreq 3.2.2]: a quarter em between Han characters
  and Latin letters or digits, whatever the source had there (an ordinary
  space, which justification would stretch, or nothing). The space used,
  U+2005 FOUR-PER-EM SPACE, is not stretched by justification.
- ASCII punctuation between Chinese characters (text from web pages often
  has it: "危难之际,中国") is set as the full-width mark a Chinese page
  uses (，：；！？). The source is not changed, only what is printed.
- Word spaces inside Western runs of Chinese text become U+2004
  THREE-PER-EM SPACE. WeasyPrint justifies a line only by widening its
  ordinary spaces; in a Chinese line the few spaces of an English name
  would take all the slack and open holes ("The      Lancet"). A line
  that cannot be justified without such holes is left a little short.
"""

from __future__ import annotations

import re
from typing import NamedTuple

QUARTER_EM = "\u2005"
THIRD_EM = "\u2004"
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WESTERN = r"A-Za-z0-9"

_HAN_THEN_WESTERN = re.compile(rf"([{HAN}])[ \u00a0]*([{WESTERN}])")
_WESTERN_THEN_HAN = re.compile(rf"([{WESTERN}%])[ \u00a0]*([{HAN}])")


def space_han_western(text: str) -> str:
    text = _HAN_THEN_WESTERN.sub(rf"\1{QUARTER_EM}\2", text)
    return _WESTERN_THEN_HAN.sub(rf"\1{QUARTER_EM}\2", text)


_FULLWIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_HAN_SIDE = rf"[{HAN}“”‘’（）《》「」]"
_ASCII_PUNCT_IN_HAN = re.compile(rf"(?<={_HAN_SIDE})([,:;!?])(?![0-9])")


def fullwidth_punctuation(text: str) -> str:
    return _ASCII_PUNCT_IN_HAN.sub(lambda m: _FULLWIDTH[m[1]], text)


WORD_JOINER = "\u2060"
_PARAGRAPH = re.compile(r"(<(?:p|h2|h3|figcaption)>)(.*?)(</(?:p|h2|h3|figcaption)>)", re.S)
_NOTE = re.compile(r'<span class="footnote".*?</span>', re.S)


def keep_last_two(html_text: str) -> str:
    """No paragraph ends with one Han character alone on its last line: the last two Han
    characters of each paragraph are joined (U+2060 WORD JOINER allows no break between them).
    Works on the HTML of an article; the text of footnotes, set elsewhere, is left alone."""
    def paragraph(m: re.Match) -> str:
        body = m[2]
        protected = [(n.start(), n.end()) for n in _NOTE.finditer(body)]
        positions = [i for i, ch in enumerate(body) if _IS_HAN.match(ch)
                     and not any(a <= i < b for a, b in protected) and not _in_tag(body, i)]
        if len(positions) >= 2 and positions[-1] == positions[-2] + 1:
            i = positions[-1]
            body = body[:i] + WORD_JOINER + body[i:]
        return m[1] + body + m[3]

    return _PARAGRAPH.sub(paragraph, html_text)


def _in_tag(text: str, i: int) -> bool:
    return text.rfind("<", 0, i) > text.rfind(">", 0, i)


def fix_western_spaces(text: str) -> str:
    return text.replace(" ", THIRD_EM)


def prepare(text: str, lang: str) -> str:
    """Everything this module does to a run of text in the given language."""
    if lang != "zh":
        return text
    return fix_western_spaces(space_han_western(fullwidth_punctuation(text)))


# ---------------------------------------------------------------------------
# Checking the printed page. The rules below take lines of positioned glyphs
# (as read back from a PDF: character, left and right edge of its advance) and
# name every place that breaks clreq. They know nothing of PDFs or of this
# project, so any typesetter's output can be checked with them.

NO_LINE_START = set("，。、；：？！）」』》〉】〕”’·・…—%‰℃,.;:?!)]}")  # clreq 3.1.7: closing marks, middle dots
NO_LINE_END = set("（「『《〈【〔“‘([{")  # opening marks
CJK_PUNCTUATION = set("，。、；：？！（）「」『』《》〈〉【】〔〕“”‘’…—·")
_IS_HAN = re.compile(rf"[{HAN}]")
_IS_WESTERN = re.compile(rf"[{WESTERN}]")


class Glyph(NamedTuple):
    char: str
    left: float
    right: float


def _visible(line: list[Glyph]) -> list[Glyph]:
    return [g for g in line if not g.char.isspace()]


def prohibited_line_start(line: list[Glyph]) -> list[str]:
    glyphs = _visible(line)
    return [f"line starts with {glyphs[0].char!r}"] if glyphs and glyphs[0].char in NO_LINE_START else []


def prohibited_line_end(line: list[Glyph]) -> list[str]:
    glyphs = _visible(line)
    return [f"line ends with {glyphs[-1].char!r}"] if glyphs and glyphs[-1].char in NO_LINE_END else []


def split_pair(previous: list[Glyph], line: list[Glyph]) -> list[str]:
    """―― and …… are never split across lines."""
    before, after = _visible(previous), _visible(line)
    if before and after and before[-1].char == after[0].char and before[-1].char in "—…":
        return [f"{before[-1].char * 2!r} split across lines"]
    return []


def han_western_gaps(line: list[Glyph], em: float, low: float = 0.15, high: float = 0.35) -> list[str]:
    """Between Han and Latin letters or digits: a quarter em (clreq 3.2.2), within [low, high] em."""
    found = []
    glyphs = _visible(line)
    for a, b in zip(glyphs, glyphs[1:]):
        if (_IS_HAN.match(a.char) and _IS_WESTERN.match(b.char)) or (_IS_WESTERN.match(a.char) and _IS_HAN.match(b.char)):
            gap = (b.left - a.right) / em
            if not low <= gap <= high:
                found.append(f"{a.char}{b.char}: gap {gap:.2f} em")
    return found


def punctuation_pairs(line: list[Glyph], em: float, limit: float = 1.5) -> list[str]:
    """Two marks side by side take at most 1.5 em: the blank half of one goes (clreq 3.1.6)."""
    found = []
    glyphs = _visible(line)
    for i, (a, b) in enumerate(zip(glyphs, glyphs[1:])):
        if a.char in CJK_PUNCTUATION and b.char in CJK_PUNCTUATION:
            after = glyphs[i + 2].left if i + 2 < len(glyphs) else b.right
            width = (after - a.left) / em
            if width > limit + 0.01:
                found.append(f"{a.char}{b.char}: {width:.2f} em")
    return found


def squeezed_marks(line: list[Glyph], em: float, limit: float = 0.9) -> list[str]:
    """A single mark inside a line keeps its full width: never squeezed to justify."""
    found = []
    glyphs = _visible(line)
    for i in range(1, len(glyphs) - 1):
        mark = glyphs[i]
        western_quote = mark.char in "“”‘’" and (glyphs[i - 1].char.isascii() or glyphs[i + 1].char.isascii())
        if mark.char in CJK_PUNCTUATION and mark.char not in "—…·" and not western_quote \
                and glyphs[i - 1].char not in CJK_PUNCTUATION and glyphs[i + 1].char not in CJK_PUNCTUATION:
            width = (glyphs[i + 1].left - mark.left) / em
            if width < limit:
                found.append(f"{mark.char}: {width:.2f} em")
    return found


def lonely_last_character(line: list[Glyph]) -> list[str]:
    """No paragraph ends with one Han character alone on its last line."""
    glyphs = [g for g in _visible(line) if g.char not in CJK_PUNCTUATION]
    if len(glyphs) == 1 and _IS_HAN.match(glyphs[0].char):
        return [f"{glyphs[0].char!r} alone on a line"]
    return []


def check_lines(lines: list[list[Glyph]], em: float) -> dict[str, list[str]]:
    """Every rule over consecutive lines of one column: rule name → what breaks it."""
    found: dict[str, list[str]] = {}
    previous: list[Glyph] = []
    for line in lines:
        for name, problems in (
            ("line start", prohibited_line_start(line)),
            ("line end", prohibited_line_end(line)),
            ("split pair", split_pair(previous, line)),
            ("Han–Western gap", han_western_gaps(line, em)),
            ("punctuation pair", punctuation_pairs(line, em)),
            ("squeezed mark", squeezed_marks(line, em)),
            ("lonely last character", lonely_last_character(line)),
        ):
            found.setdefault(name, []).extend(problems)
        previous = line
    return found
