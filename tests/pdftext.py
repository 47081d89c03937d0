"""Reading built PDFs back: page texts, text positions, images."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# Whitespace (including the quarter-em spaces of clreq spacing) and hyphens
# (which hyphenation adds at line ends) do not count when looking for text.
_IGNORED = re.compile(r"[\s\u2005\u00ad\u2010\u2060\-]+")


_QUOTES = str.maketrans("“”‘’", "\"\"''")


def squash(text: str) -> str:
    # NFKC, because clreq preparation prints ASCII punctuation in Chinese text as full-width marks.
    # Quotes: the Markdown typographer prints straight quotes as curly ones.
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _IGNORED.sub("", text)


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float


@lru_cache(maxsize=16)
def page_texts(pdf: Path) -> tuple[str, ...]:
    doc = pdfium.PdfDocument(pdf)
    return tuple(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def pages_with(pdf: Path, text: str) -> list[int]:
    """0-based indices of the pages whose text holds `text` (whitespace and hyphens aside)."""
    wanted = squash(text)
    return [i for i, page in enumerate(page_texts(pdf)) if wanted in squash(page)]


def text_boxes(pdf: Path, page: int, text: str) -> list[Box]:
    """The box of the first character of each occurrence of `text` on a page."""
    doc = pdfium.PdfDocument(pdf)
    textpage = doc[page].get_textpage()
    searcher = textpage.search(text)
    boxes = []
    while found := searcher.get_next():
        boxes.append(Box(*textpage.get_charbox(found[0])))
    return boxes


def image_boxes(pdf: Path, page: int) -> list[Box]:
    doc = pdfium.PdfDocument(pdf)
    return [Box(*obj.get_bounds()) for obj in doc[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)]
