"""The press PDF: the bilingual issue as a print shop wants it.

Every page gets 3 mm of bleed (BleedBox), its trim (TrimBox: A4, where the
reading PDF's page was) and crop marks outside the bleed, on a larger
MediaBox; the document is PDF/X-4 with a CMYK printing condition as its output
intent (FOGRA39 unless the print shop's profile is configured: press/config.py),
and its colours are the press's (press/inks.py). Artwork that touches the trim
(the cover's bands) is run into the bleed when the cover is typeset
(styles/press.css, `.press`); everything else is inside the margins. The crop
marks are in registration colour: every plate gets them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, StreamObject,
                           TextStringObject)

from .inks import OutputCondition, srgb_space, to_press_inks
from .xmp import PDF_X_4, document_ids, set_xmp

MM = 72 / 25.4
BLEED = 3 * MM
MARK_OFFSET = 5 * MM  # from the trim: marks start outside the bleed
MARK_LENGTH = 8 * MM
SLUG = MARK_OFFSET + MARK_LENGTH + 2 * MM  # media beyond the trim, on every side
REGISTRATION = "/PressRegistration"  # the crop marks' colour space, in every page's resources


def press_pdf(pdf: bytes, title: str, date: dt.date, condition: OutputCondition) -> bytes:
    """The reading PDF `pdf`, made ready for the press."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    registration, srgb = writer._add_object(_registration()), srgb_space(writer)
    rewritten: set[int] = set()
    for page in writer.pages:
        to_press_inks(page, condition, srgb, rewritten)
        _bleed_and_marks(writer, page, registration)
        # PDF/X allows no annotation over the printed area (ISO 15930-7 §6.6): the links of the
        # contents page are of no use on paper.
        if "/Annots" in page:
            del page["/Annots"]
    _drop_object_references(writer._root_object.get("/StructTreeRoot"))
    _pdfx(writer, title, date, hashlib.sha256(pdf + condition.profile).hexdigest(), condition)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _drop_object_references(element) -> None:
    """Take the annotations out of the structure tree too (its OBJR kids), so that none
    refers to an annotation no page has."""
    if element is None:
        return
    element = element.get_object()
    kids = element.get("/K") if isinstance(element, DictionaryObject) else None
    if kids is None:
        return
    kids = kids.get_object()
    if isinstance(kids, ArrayObject):
        kept = ArrayObject(k for k in kids if not _is_object_reference(k))
        element[NameObject("/K")] = kept
        for kid in kept:
            _drop_object_references(kid)
    elif _is_object_reference(kids):
        del element["/K"]
    else:
        _drop_object_references(kids)


def _is_object_reference(kid) -> bool:
    kid = kid.get_object()
    return isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR"


def _registration() -> ArrayObject:
    """Separation /All: a tint of every colourant at once (ISO 32000-1 §8.6.6.4), the
    registration colour; its alternate, for a composite proof, is all four inks."""
    tint = DictionaryObject({
        NameObject("/FunctionType"): NumberObject(2),
        NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
        NameObject("/C0"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/C1"): ArrayObject([NumberObject(1)] * 4),
        NameObject("/N"): NumberObject(1),
    })
    return ArrayObject([NameObject("/Separation"), NameObject("/All"), NameObject("/DeviceCMYK"), tint])


def _bleed_and_marks(writer: PdfWriter, page, registration) -> None:
    # A page typeset with bleed (the cover) carries its TrimBox already; others are their trim.
    trim = [float(v) for v in (page.get("/TrimBox") or page.mediabox)]
    x0, y0, x1, y1 = trim
    page[NameObject("/TrimBox")] = _box(x0, y0, x1, y1)
    page[NameObject("/BleedBox")] = _box(x0 - BLEED, y0 - BLEED, x1 + BLEED, y1 + BLEED)
    page[NameObject("/MediaBox")] = _box(x0 - SLUG, y0 - SLUG, x1 + SLUG, y1 + SLUG)
    page[NameObject("/CropBox")] = _box(x0 - SLUG, y0 - SLUG, x1 + SLUG, y1 + SLUG)
    lines = []
    for x, y, dx, dy in _marks(x0, y0, x1, y1):
        lines.append(f"{x:.3f} {y:.3f} m {x + dx:.3f} {y + dy:.3f} l S")
    marks = StreamObject()
    # Outside the bleed, as an artifact of the page (no part of its text).
    marks.set_data((f"/Artifact BMC q {REGISTRATION} CS 1 SCN 0.25 w 0 J " + " ".join(lines) + " Q EMC").encode())
    resources = page["/Resources"].get_object()  # its /ColorSpace is a dictionary since to_press_inks
    resources["/ColorSpace"].get_object()[NameObject(REGISTRATION)] = registration
    contents = page.raw_get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*existing, writer._add_object(marks)])


def _marks(x0: float, y0: float, x1: float, y1: float):
    """Two marks at each corner, on the lines of the trim edges: (x, y, dx, dy) per stroke."""
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            yield x + sx * MARK_OFFSET, y, sx * MARK_LENGTH, 0  # horizontal, on the edge y
            yield x, y + sy * MARK_OFFSET, 0, sy * MARK_LENGTH  # vertical, on the edge x


def _box(*values: float) -> ArrayObject:
    return ArrayObject(FloatObject(round(v, 4)) for v in values)


def _pdfx(writer: PdfWriter, title: str, date: dt.date, digest: str, condition: OutputCondition) -> None:
    writer.pdf_header = b"%PDF-1.6"
    profile = StreamObject()
    profile.set_data(condition.profile)
    profile[NameObject("/N")] = NumberObject(4)
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFX"),
        NameObject("/OutputConditionIdentifier"): TextStringObject(condition.identifier),
        NameObject("/Info"): TextStringObject(condition.info),
        NameObject("/DestOutputProfile"): writer._add_object(profile.flate_encode()),
    })
    if condition.registry:
        intent[NameObject("/RegistryName")] = TextStringObject(condition.registry)
    catalog = writer._root_object
    catalog[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    # The XMP says what the Info dictionary says (the reading PDF's author and subject).
    info = writer.metadata or {}
    set_xmp(writer, title=title, author=str(info.get("/Author", "")), subject=str(info.get("/Subject", "")), lang=None,
            date=date, claims=(document_ids(digest[:32]), PDF_X_4), trapped=False)
    writer.add_metadata({"/GTS_PDFXVersion": "PDF/X-4", "/Trapped": NameObject("/False")})
