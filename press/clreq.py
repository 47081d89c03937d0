"""Prepare Chinese text for layout, following the W3C clreq rules.

WeasyPrint lays out Chinese as a browser does. What a Chinese typesetter
adds is done here, on the text, before layout.

- Han and Western text [clreq 3.2.2]: a quarter em between Han characters
  and Latin letters or digits, whatever the source had there (an ordinary
  space, which justification would stretch, or nothing). The space used,
  U+2005 FOUR-PER-EM SPACE, is not stretched by justification.
"""

from __future__ import annotations

import re

QUARTER_EM = "\u2005"
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WESTERN = r"A-Za-z0-9"

_HAN_THEN_WESTERN = re.compile(rf"([{HAN}])[ \u00a0]*([{WESTERN}])")
_WESTERN_THEN_HAN = re.compile(rf"([{WESTERN}%])[ \u00a0]*([{HAN}])")


def space_han_western(text: str) -> str:
    text = _HAN_THEN_WESTERN.sub(rf"\1{QUARTER_EM}\2", text)
    return _WESTERN_THEN_HAN.sub(rf"\1{QUARTER_EM}\2", text)


def prepare(text: str, lang: str) -> str:
    """Everything this module does to a run of text in the given language."""
    return space_han_western(text) if lang == "zh" else text
