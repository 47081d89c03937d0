"""Assemble typeset parts into one finished PDF with pypdf.

Parts are concatenated in page order, each page is stamped with its page
of the running-head overlay, and the document gets its outline, links
from the contents, metadata and language. Everything that could vary
between runs (dates, the document ID) is derived from the issue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DictionaryObject, NameObject, StreamObject,
                           TextStringObject)

from .typeset import TypesetPart


@dataclass(frozen=True)
class OutlineItem:
    title: str
    page: int  # 0-based page index in the finished document
    children: tuple["OutlineItem", ...] = ()


@dataclass(frozen=True)
class DocInfo:
    title: str
    author: str
    subject: str
    lang: str
    date: dt.date


# Contents entries link to this placeholder URL; the anchor after it is resolved here,
# once the page of every article in this edition is known.
GOTO = "https://press.invalid/goto/"


def assemble(parts: list[TypesetPart], overlay: TypesetPart, outline: list[OutlineItem], info: DocInfo,
             anchors: dict[str, int] | None = None) -> bytes:
    writer = PdfWriter()
    stamps = PdfReader(io.BytesIO(overlay.pdf)).pages
    index = 0
    for part in parts:
        for page in PdfReader(io.BytesIO(part.pdf)).pages:
            added = writer.add_page(page)
            _stamp(writer, added, stamps[index])
            index += 1
    _resolve_links(writer, anchors or {})
    for item in outline:
        _add_outline(writer, item, None)
    stamp = _pdf_date(info.date)
    writer.add_metadata({
        "/Title": info.title,
        "/Author": info.author,
        "/Subject": info.subject,
        "/Creator": "press (WeasyPrint, pypdf)",
        "/Producer": "press",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    })
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(info.lang)
    root[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    # The ID is a hash of everything that went in, so equal inputs give equal files.
    digest = hashlib.md5(repr((info, outline, sorted((anchors or {}).items()))).encode())
    for part in [*parts, overlay]:
        digest.update(part.pdf)
    writer._ID = ArrayObject([ByteStringObject(digest.digest()), ByteStringObject(digest.digest())])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _stamp(writer: PdfWriter, page, stamp) -> None:
    """Draw the overlay page over a page, as a form XObject: the page's own content
    stream is left as it is (merging the streams would parse and rewrite every page)."""
    form = StreamObject()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(stamp.mediabox)
    form[NameObject("/Resources")] = stamp.raw_get("/Resources")
    form.set_data(stamp.get_contents().get_data())
    # clone() copies what the form refers to (the overlay's fonts) into the writer, once.
    form = form.clone(writer)
    # WeasyPrint shares one resource dictionary among the pages of a document: give this
    # page its own (shallow) copy before naming its overlay in it.
    resources = DictionaryObject(page["/Resources"].get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject("/PressOverlay")] = writer._add_object(form)
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    draw = StreamObject()
    draw.set_data(b"q /PressOverlay Do Q")
    contents = page["/Contents"]
    contents = contents.get_object() if not isinstance(contents, ArrayObject) else contents
    existing = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    # Wrap the page's own drawing in q/Q, so a state it leaves set cannot shift the overlay.
    save, restore = StreamObject(), StreamObject()
    save.set_data(b"q")
    restore.set_data(b"Q")
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(save), *existing, writer._add_object(restore), writer._add_object(draw)])


def _resolve_links(writer: PdfWriter, anchors: dict[str, int]) -> None:
    """Turn the contents' placeholder links into links to pages of this document."""
    for page in writer.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri.startswith(GOTO):
                target = anchors.get(uri[len(GOTO):])
                del annot[NameObject("/A")]
                if target is not None:
                    annot[NameObject("/Dest")] = ArrayObject([writer.pages[target].indirect_reference, NameObject("/Fit")])


def _add_outline(writer: PdfWriter, item: OutlineItem, parent) -> None:
    node = writer.add_outline_item(title=item.title, page_number=item.page, parent=parent)
    for child in item.children:
        _add_outline(writer, child, node)


def _pdf_date(date: dt.date) -> str:
    return f"D:{date:%Y%m%d}000000Z"
