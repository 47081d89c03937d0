"""Prepare Chinese text for layout, following the W3C clreq rules.

WeasyPrint lays out Chinese as a browser does. What a Chinese typesetter
adds is done here, on the text, before layout.

- Han and Western text [#mixed_text_composition_in_horizontal_writing_mode]: a quarter
  em between Han characters
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

from .rules import CLOSING_BRACKETS, FULLWIDTH, HAN, OPENING_BRACKETS, QUARTER_EM, THIRD_EM, WESTERN, WORD_JOINER

_HAN_THEN_WESTERN = re.compile(rf"([{HAN}])[ \u00a0]*([{WESTERN}])")
_WESTERN_THEN_HAN = re.compile(rf"([{WESTERN}%])[ \u00a0]*([{HAN}])")


def space_han_western(text: str) -> str:
    text = _HAN_THEN_WESTERN.sub(rf"\1{QUARTER_EM}\2", text)
    return _WESTERN_THEN_HAN.sub(rf"\1{QUARTER_EM}\2", text)


_HAN_SIDE = f"[{HAN}{re.escape(OPENING_BRACKETS + CLOSING_BRACKETS)}]"
_ASCII_PUNCT_IN_HAN = re.compile(rf"(?<={_HAN_SIDE})([,:;!?])(?![0-9])")


def fullwidth_punctuation(text: str) -> str:
    return _ASCII_PUNCT_IN_HAN.sub(lambda m: FULLWIDTH[m[1]], text)


# A run of text that ends a block: a paragraph, heading, caption, list item or table cell. A list
# item's own text ends where a nested list or a paragraph of it begins.
_BLOCKS = "p|h2|h3|figcaption|li|td|th"
_PARAGRAPH = re.compile(rf"(<(?P<tag>{_BLOCKS})(?:\s[^>]*)?>)((?:(?!<(?:{_BLOCKS}|ul|ol|table|blockquote)[\s>]).)*?)"
                        rf"(</(?P=tag)>|(?=<(?:p|ul|ol|table)[\s>]))", re.S)
_NOTE = re.compile(r'<span class="footnote[\s"].*?</span>', re.S)


def keep_last_two(html_text: str) -> str:
    """No paragraph ends with one Han character alone on its last line: the last two Han
    characters of each paragraph are joined (U+2060 WORD JOINER allows no break between them).
    Works on the HTML of an article; the text of footnotes, set elsewhere, is left alone."""
    def paragraph(m: re.Match) -> str:
        body = m[3]
        positions = _last_two_han(body)
        if len(positions) == 2 and positions[1] == positions[0] + 1:
            i = positions[1]
            body = body[:i] + WORD_JOINER + body[i:]
        return m[1] + body + m[4]

    return _PARAGRAPH.sub(paragraph, html_text)


_HAN_OR_ANGLE = re.compile(rf"[{HAN}<>]")


def _last_two_han(body: str) -> list[int]:
    """Where the last two Han characters of a paragraph's HTML stand, outside tags and notes: in
    one pass, for a paragraph may be a megabyte of Chinese without a break."""
    notes = _NOTE.finditer(body)
    note = next(notes, None)
    in_tag, found = False, []
    for m in _HAN_OR_ANGLE.finditer(body):
        if m[0] in "<>":
            in_tag = m[0] == "<"
            continue
        while note is not None and note.end() <= m.start():
            note = next(notes, None)
        if not in_tag and (note is None or m.start() < note.start()):
            found = [*found[-1:], m.start()]
    return found


def fix_western_spaces(text: str) -> str:
    return text.replace(" ", THIRD_EM)


def prepare(text: str, lang: str) -> str:
    """Everything this module does to a run of text in the given language ("zh", "zh-Hans"…)."""
    if not lang.startswith("zh"):
        return text
    return fix_western_spaces(space_han_western(fullwidth_punctuation(text)))
