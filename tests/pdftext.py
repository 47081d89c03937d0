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


def visible_image_boxes(pdf: Path, page: int) -> list[Box]:
    """The part of each image that shows: its bounds cut by its clip path (a photo set with
    object-fit: cover is drawn larger than its frame, and clipped to it)."""
    import ctypes

    doc = pdfium.PdfDocument(pdf)
    boxes = []
    for obj in doc[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        clip = pdfium_c.FPDFPageObj_GetClipPath(obj.raw)
        for i in range(pdfium_c.FPDFClipPath_CountPaths(clip) if clip else 0):
            xs, ys = [], []
            for j in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, i)):
                x, y = ctypes.c_float(), ctypes.c_float()
                pdfium_c.FPDFPathSegment_GetPoint(pdfium_c.FPDFClipPath_GetPathSegment(clip, i, j), x, y)
                xs.append(x.value)
                ys.append(y.value)
            if xs:
                left, right, bottom, top = max(left, min(xs)), min(right, max(xs)), max(bottom, min(ys)), min(top, max(ys))
        boxes.append(Box(left, bottom, right, top))
    return boxes


def marked_text(document: pdfium.PdfDocument, index: int) -> dict[int, str]:
    """The text of each marked-content sequence (by MCID) on a page: its text objects' (those of
    the forms it paints included), in content order, as PDFium reads them (ToUnicode). pypdf's
    extract_text with visitors gave the same text but for whitespace (which squash drops), in five
    times the CPU time (2.3 CPU-s for the six reading PDFs, 0.4). PDFium gives a hyphen it takes
    for a line-end one as 0x02: a hyphen here."""
    import ctypes

    page = document[index]
    textpage = page.get_textpage()
    texts: dict[int, list[str]] = {}
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=16):
        mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw)
        size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)  # bytes, UTF-16 with its NUL
        if mcid < 0 or size <= 2:
            continue
        buffer = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
        texts.setdefault(mcid, []).append(bytes(buffer)[:size - 2].decode("utf-16-le").replace("\x02", "-"))
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def structure(pdf: Path):
    """The structure tree of a tagged PDF in document order, as (depth, element type,
    attributes, text): an element with empty text, then its content in order, marked content
    as entries of type "" (with the text) one level deeper."""
    import pypdf

    reader, document = pypdf.PdfReader(pdf), pdfium.PdfDocument(pdf)
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    texts: dict[int, dict[int, str]] = {}

    def text_of(page: int, mcid: int) -> str:
        if page not in texts:
            texts[page] = marked_text(document, page)
        return texts[page].get(mcid, "")

    def walk(element, depth, page):
        element = element.get_object()
        if "/Pg" in element:
            page = page_index.get(element.raw_get("/Pg").idnum, page)
        attributes = {k: element[k] for k in ("/Lang", "/Alt") if k in element}
        yield depth, str(element.get("/S", "")), attributes, ""
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid_object = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid_object, int):
                yield depth + 1, "", {}, text_of(page, int(kid_object))
            elif "/MCID" in kid_object:
                kid_page = page_index.get(kid_object.raw_get("/Pg").idnum, page) if "/Pg" in kid_object else page
                yield depth + 1, "", {}, text_of(kid_page, int(kid_object["/MCID"]))
            elif "/S" in kid_object:
                yield from walk(kid_object, depth + 1, page)

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    for top in root["/K"] if isinstance(root["/K"], list) else [root["/K"]]:
        yield from walk(top, 0, 0)
