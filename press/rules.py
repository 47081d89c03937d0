"""The typographic rules of the house: clreq for Chinese, TeX and a compositor's limits for English.

Every module that sets or checks text takes its rules from here: the text preparation
(press/clreq.py), the composer (press/linebreak.py, press/paragraphs.py), the WeasyPrint
patches (press/composition.py), the page checker (press/pagerules.py) and the translation
review (press/parity.py, press/quantities.py). A rule changed here changes what is set and
what is checked alike. The layout code imports nothing from the checker.

References in brackets are sections of the W3C Requirements for Chinese Text Layout, by
their anchor: [#prohibition_rules_for_line_start_end] is
https://www.w3.org/TR/clreq/#prohibition_rules_for_line_start_end. Character lists follow its
appendix tables (#table_of_pause_or_stop_punctuation_marks and the two after it).

Not here, on purpose:
- the hyphenation limits of a word (the shortest word hyphenated, the fewest letters before
  and after a hyphen) are CSS, `hyphenate-limit-chars` in styles/press.css (6 2 3 in English
  body text, 7 3 3 for English inside Chinese): WeasyPrint reads them there, the composer
  takes them from each box's style (press/paragraphs.py), and a stylesheet may set them per
  element;
- the composer's costs (tolerances, penalties, demerits: press/paragraphs.py, linebreak.py),
  which choose among the settings these rules allow.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

# Character classes.

# Han characters: CJK Unified Ideographs, Extension A and the Compatibility Ideographs; a regex
# class body. Kana and Hangul are not set by this house (its issues are Chinese and English).
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Latin letters and digits: what stands a quarter em from Han [#mixed_text_composition_in_horizontal_writing_mode].
WESTERN = r"A-Za-z0-9"
# East Asian Width 'A' (UAX #11): full width in Chinese text, proportional in English. Which
# one a quote is depends on its language (its neighbours, its font), never on the character.
AMBIGUOUS = "“”‘’—…·"
CURLY_QUOTES = "“”‘’"
# What Chinese text sets on the em square: Han, the CJK Symbols and Punctuation block, the
# Halfwidth and Fullwidth Forms, and the ambiguous marks; a regex class body.
CJK = HAN + r"\u3000-\u303f\uff00-\uffef" + AMBIGUOUS

IS_HAN = re.compile(f"[{HAN}]")
IS_WESTERN = re.compile(f"[{WESTERN}]")
_IS_CJK = re.compile(f"[{CJK}]")


def is_cjk(char: str) -> bool:
    return _IS_CJK.match(char) is not None


def cjk_flags(text: str) -> list[bool]:
    """is_cjk of each character of `text`, in one pass of the pattern."""
    flags = [False] * len(text)
    for match in _IS_CJK.finditer(text):
        flags[match.start()] = True
    return flags


# The clreq punctuation classes [#categories_and_usage_of_punctuation_marks].
PAUSE_OR_STOP = "、，。．：；！？‼⁇"  # [#table_of_pause_or_stop_punctuation_marks]
OPENING_BRACKETS = "（「『《〈【〖〔［｛“‘"  # [#table_of_bracket_indication_punctuation_marks]
CLOSING_BRACKETS = "）」』》〉】〗〕］｝”’"
INTERPUNCTS = "·・‧"  # middle dots [#table_of_non-bracket_indication_punctuation_marks]
# Two-em dashes and ellipses: a pair is one unit, never split across lines
# [#prohibition_rules_for_unbreakable_marks]; ⸺ is the pair in one character.
INSEPARABLE = "—…⋯"
TWO_EM_DASH = "⸺"
# Connector marks (连接号): ～ and the en dash, and the em dash above (the hyphen-minus is one too,
# see NO_LINE_START).
CONNECTORS = "～–"
SOLIDI = "／"  # 分隔号 (the ASCII solidus is one too, see NO_LINE_END)

# Every Chinese punctuation mark, set on the em square: the classes above, and the marks, symbols
# and spaces of the CJK Symbols and Punctuation block and of the fullwidth ASCII forms (not 〇 々 〆
# and the Hangzhou numerals of that block: they are set as Han characters
# [#principles_of_arrangement_of_han_characters]). Not the en dash: it is drawn from the Western
# face, proportionally.
CJK_PUNCTUATION = frozenset(
    PAUSE_OR_STOP + OPENING_BRACKETS + CLOSING_BRACKETS + INTERPUNCTS + INSEPARABLE + TWO_EM_DASH + "～" + SOLIDI
    + "".join(chr(c) for c in (*range(0x3000, 0x3040), *range(0xff01, 0xff66))
              if unicodedata.category(chr(c))[0] in "PSZ"))
# Marks whose ink fills one half of the em, the other half blank: what 'chws' and the
# punctuation pairs take in [#h-punctuation_adjustment_space].
HALF_BLANK_MARKS = frozenset(PAUSE_OR_STOP + OPENING_BRACKETS + CLOSING_BRACKETS)
OPENING_MARKS = frozenset(OPENING_BRACKETS)

# Line starts and ends [#prohibition_rules_for_line_start_end], at clreq's "strict" level: the
# "basic" rules (no pause or stop mark, closing bracket, connector or interpunct starts a line;
# no opening bracket ends one), GB/T 15834's (no solidus ends a line), and no two-em dash or
# ellipsis starts a line. With them the Western marks that close (,.;:?!)]}) or that follow a
# number (% ‰ ℃), in Chinese and English lines alike. The ASCII hyphen-minus and solidus are
# left out: English words and addresses are made of them (and UAX #14, which Pango applies,
# already breaks no line before a hyphen).
NO_LINE_START = frozenset(PAUSE_OR_STOP + CLOSING_BRACKETS + CONNECTORS + INTERPUNCTS + INSEPARABLE + TWO_EM_DASH
                          + "%‰℃,.;:?!)]}")
NO_LINE_END = frozenset(OPENING_BRACKETS + SOLIDI + "([{")

# Spacing.

# Between Han and Western text: a quarter em [#mixed_text_composition_in_horizontal_writing_mode],
# set as U+2005 FOUR-PER-EM SPACE, which justification does not stretch; on the page it may
# measure from HAN_WESTERN_GAP[0] to [1] em (the faces' side bearings).
QUARTER_EM = "\u2005"
HAN_WESTERN_SPACE = 0.25  # em
HAN_WESTERN_GAP = (0.15, 0.35)  # em
# A word space of English inside Chinese: U+2004 THREE-PER-EM SPACE, which WeasyPrint's
# justification does not widen (press/clreq.py says why).
THIRD_EM = "\u2004"
# No break on either side (a paragraph's last two Han characters; a note's call and its word).
WORD_JOINER = "\u2060"
# ASCII punctuation between Chinese characters is printed as the full-width mark.
FULLWIDTH = MappingProxyType({",": "，", ":": "：", ";": "；", "!": "！", "?": "？"})
# Two marks side by side take at most 1.5 em [#h-adjustment_of_adjacent_punctuation_marks].
PUNCTUATION_PAIR = 1.5  # em
# Justification spreads a Chinese line between its characters [#reduction_and_expansion_of_inter-character_spacing],
# by at most this much a gap: a line that would need more is left short.
MAX_SPACING = 0.12  # em

# English word spaces (measured on the page in the em of the letter after the space):
# none wider than WORD_SPACE_MAX, the median within WORD_SPACE_MEDIAN (the face's space is
# about 0.26 em). The composer lets a space stretch by SPACE_STRETCH of its width and shrink
# by SPACE_SHRINK (TeX's third: 0.26 em down to 0.17), and letters move apart by up to
# LETTER_TRACKING em in a justified line, or closer by up to LETTER_TIGHTENING em (about 3 % of
# a letter; microtype's font expansion takes 2 %). With the spaces alone to shrink, by a
# quarter, a line could lose a sixth of what it could gain, and the composer, its costs even
# either way of the natural width, stretched far more often than it shrank (median word space
# 0.39 em on 2020-12's technical prose): letters that close up as they open keep it nearer.
WORD_SPACE_MAX = 0.6  # em
WORD_SPACE_MEDIAN = (0.25, 0.35)  # em
SPACE_STRETCH = 1.0
SPACE_SHRINK = 1 / 3
LETTER_TRACKING = 0.02  # em
LETTER_TIGHTENING = 0.015  # em

# Hyphenation: at most this many hyphenated line ends in a row (TeX's \doublehyphendemerits makes
# two costly; CSS hyphenate-limit-lines, which WeasyPrint lacks, makes it a limit).
MAX_HYPHENATED_LINES = 2
HYPHENS = frozenset("-\u2010\u00ad")  # hyphen-minus, hyphen, soft hyphen: what a hyphenated line ends with
