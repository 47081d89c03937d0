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
from typing import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DictionaryObject, IndirectObject, NameObject,
                           NullObject, NumberObject, StreamObject, TextStringObject)

from .render import LANG_TAGS
from .session import Memo, Session
from .typeset import TypesetPart
from .xmp import PDF_UA_1, set_xmp


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


def _read_part(pdf: bytes, session: Session | None) -> PdfReader:
    """A typeset part, parsed once for every PDF that holds it: tagged parts hold thousands of
    small objects, and pypdf parses in Python. A process that stays up (serve) keeps the parts
    of its last build for the next (session.parts), and no others: a part an edit replaced is
    never asked for again, and every one kept makes the heap, and the garbage collector's
    rounds, bigger. Readers are only read from; each writer keeps its own copies."""
    if session is None:
        return PdfReader(io.BytesIO(pdf))
    return session.parts.get(pdf, lambda: PdfReader(io.BytesIO(pdf)))


def assemble(parts: list[TypesetPart], overlays: list[TypesetPart], outline: list[OutlineItem], info: DocInfo,
             anchors: dict[str, int] | None = None, session: Session | None = None,
             checkpoint: Callable[[], None] | None = None) -> bytes:
    """One finished PDF from its parts in page order. `checkpoint` is called between steps, and may
    raise to stop (serve: a newer edit was saved, whose proof must not wait for this PDF)."""
    checkpoint = checkpoint or (lambda: None)
    writer = PdfWriter()
    stamps = [page for overlay in overlays for page in _read_part(overlay.pdf, session).pages]
    index = 0
    tagged = []
    for part in parts:
        checkpoint()
        reader = _read_part(part.pdf, session)
        added = []
        for page in reader.pages:
            added.append(writer.add_page(page))
            _stamp(writer, added[-1], stamps[index])
            index += 1
        # A bilingual part (cover, contents) has the language of its document, as its HTML has.
        tagged.append((reader, added, LANG_TAGS.get(part.lang, info.lang)))
    checkpoint()
    _merge_structure(writer, tagged)
    checkpoint()
    _name_fonts_by_program(writer, session.font_programs if session is not None else None)
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
    _make_accessible(writer, info, outline)
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(info.lang)
    root[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    # The ID is a hash of everything that went in, so equal inputs give equal files.
    digest = hashlib.md5(repr((info, outline, sorted((anchors or {}).items()))).encode())
    for part in [*parts, *overlays]:
        digest.update(part.pdf)
    writer._ID = ArrayObject([ByteStringObject(digest.digest()), ByteStringObject(digest.digest())])
    checkpoint()
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
    # Running heads and folios are pagination artifacts: outside the structure tree, so a
    # screen reader never reads them in the middle of a sentence.
    draw.set_data(b"/Artifact <</Type /Pagination>> BDC q /PressOverlay Do Q EMC")
    contents = page["/Contents"]
    contents = contents.get_object() if not isinstance(contents, ArrayObject) else contents
    existing = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    # Wrap the page's own drawing in q/Q, so a state it leaves set cannot shift the overlay.
    save, restore = StreamObject(), StreamObject()
    save.set_data(b"q")
    restore.set_data(b"Q")
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(save), *existing, writer._add_object(restore), writer._add_object(draw)])


def _merge_structure(writer: PdfWriter, parts: list[tuple[PdfReader, list, str]]) -> None:
    """One structure tree for the assembled document, made of each part's tree.

    pypdf copies pages but not structure trees. Each part's tree is copied here under a
    Part element carrying the part's language; the keys that tie pages and links to the
    tree (StructParents, StructParent and the ParentTree) are renumbered so the parts'
    keys follow one another."""
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
                                 NameObject("/P"): root_ref})
    document_ref = writer._add_object(document)
    document_kids, nums, next_key = ArrayObject(), ArrayObject(), 0
    for reader, pages, lang in parts:
        source = reader.trailer["/Root"].get("/StructTreeRoot")
        if source is None:
            continue
        copier = _StructureCopier(writer, reader, pages)
        part = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Part"),
                                 NameObject("/P"): document_ref, NameObject("/Lang"): TextStringObject(lang)})
        part_ref = writer._add_object(part)
        part[NameObject("/K")] = ArrayObject(
            copier.element(kid, part_ref) for top in _kids(source.get_object()) for kid in _kids(top.get_object()))
        document_kids.append(part_ref)
        keys = _number_tree(source.get_object()["/ParentTree"].get_object())
        for key, value in keys:
            value = value.get_object() if isinstance(value, IndirectObject) and isinstance(value.get_object(), ArrayObject) else value
            mapped = ArrayObject(copier.mapped(v) for v in value) if isinstance(value, ArrayObject) else copier.mapped(value)
            nums += [NumberObject(key + next_key), mapped]
        for src, page in zip(reader.pages, pages):
            if "/StructParents" in src:  # pypdf leaves it out of the copied page
                page[NameObject("/StructParents")] = NumberObject(src["/StructParents"] + next_key)
            for annot in page.get("/Annots", []) or []:
                annot = annot.get_object()
                if "/StructParent" in annot:
                    annot[NameObject("/StructParent")] = NumberObject(annot["/StructParent"] + next_key)
        next_key += max((key for key, _ in keys), default=-1) + 1
    document[NameObject("/K")] = document_kids
    root[NameObject("/K")] = ArrayObject([document_ref])
    root[NameObject("/ParentTree")] = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    root[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = root_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})


class _StructureCopier:
    """Copies structure elements of one part into the writer, pointing them at the copied pages."""

    def __init__(self, writer: PdfWriter, reader: PdfReader, pages: list) -> None:
        self.writer = writer
        self.pages = {src.indirect_reference.idnum: new.indirect_reference for src, new in zip(reader.pages, pages)}
        self.annots = {}
        for src, new in zip(reader.pages, pages):
            for a, b in zip(src.get("/Annots", []) or [], new.get("/Annots", []) or []):
                if isinstance(a, IndirectObject):
                    self.annots[a.idnum] = b
        self.elements: dict[int, IndirectObject] = {}

    def mapped(self, ref) -> IndirectObject | NullObject:
        return self.elements.get(ref.idnum, NullObject()) if isinstance(ref, IndirectObject) else NullObject()

    def element(self, ref, parent: IndirectObject, parent_page=None):
        source = ref.get_object()
        if not isinstance(source, DictionaryObject):
            return NumberObject(source)  # a marked-content id
        if self._bare_span(source):
            # WeasyPrint wraps each line of text in a Span of its own, with nothing to say:
            # its marked content goes straight into the parent (half the objects to copy and write).
            if isinstance(ref, IndirectObject):
                self.elements[ref.idnum] = parent
            mcid, page = NumberObject(_kids(source)[0]), source.raw_get("/Pg").idnum if "/Pg" in source else None
            if page is None or page == parent_page:
                return mcid
            return DictionaryObject({NameObject("/Type"): NameObject("/MCR"), NameObject("/MCID"): mcid,
                                     NameObject("/Pg"): self.pages.get(page, NullObject())})
        copy = DictionaryObject()
        copy_ref = self.writer._add_object(copy)
        if isinstance(ref, IndirectObject):
            self.elements[ref.idnum] = copy_ref
        for key, value in source.items():
            if key in ("/P", "/K", "/Pg", "/Obj"):
                continue
            # A name or a number held in place is a value, never changed: shared, not copied
            # (most of an element's keys: /Type, /S; half of the structure's clones).
            copy[key] = value if type(value) in _VALUES and getattr(value, "indirect_reference", None) is None \
                else value.clone(self.writer)
        if "/Pg" in source:
            copy[NameObject("/Pg")] = self.pages.get(source.raw_get("/Pg").idnum, NullObject())
        if "/Obj" in source:
            copy[NameObject("/Obj")] = self.annots.get(source.raw_get("/Obj").idnum, NullObject())
        if "/S" in source:  # a structure element, not a marked-content or object reference
            copy[NameObject("/P")] = parent
        if "/K" in source:
            page = source.raw_get("/Pg").idnum if "/Pg" in source else parent_page
            copy[NameObject("/K")] = ArrayObject(self.element(kid, copy_ref, page) for kid in _kids(source))
        return copy_ref

    @staticmethod
    def _bare_span(source: DictionaryObject) -> bool:
        if source.get("/S") != "/Span" or not set(source) <= {"/Type", "/S", "/K", "/P", "/Pg"}:
            return False
        kids = _kids(source)
        return len(kids) == 1 and isinstance(kids[0], int)


_VALUES = (NameObject, NumberObject)


def _kids(element: DictionaryObject) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
    return list(kids) if isinstance(kids, ArrayObject) else [element.raw_get("/K")]


def _number_tree(node: DictionaryObject) -> list[tuple[int, object]]:
    pairs = []
    if "/Nums" in node:
        nums = node["/Nums"]
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []) or []:
        pairs += _number_tree(kid.get_object())
    return pairs


def _make_accessible(writer: PdfWriter, info: DocInfo, outline: list[OutlineItem]) -> None:
    """What PDF/UA-1 asks of the merged document beyond its tags: every link annotation
    inside a Link element, described and printable; an ID on every Note; XMP metadata."""
    root = writer._root_object.get("/StructTreeRoot")
    if root is not None:
        root = root.get_object()
        _links_in_link_elements(writer, root)
        _name_notes(root)
    _describe_links(writer, outline)
    _add_xmp(writer, info)


def _walk(element: DictionaryObject, ancestors: tuple = ()):
    """Every structure element under `element`, with its ancestors (nearest last)."""
    for kid in _kids(element):
        kid_object = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(kid_object, DictionaryObject) and "/S" in kid_object:
            yield kid, kid_object, ancestors
            yield from _walk(kid_object, (*ancestors, kid))


def _links_in_link_elements(writer: PdfWriter, root: DictionaryObject) -> None:
    """[PDF/UA 7.18.5] A link annotation's object reference belongs in a Link element.
    WeasyPrint puts it in the element of whichever box holds the link: a Span or a line
    inside the link, when the link is a block (the contents' entries). It moves to the
    nearest Link element around it, or into a new Link element in its place."""
    parents = {}
    for ref, element, ancestors in list(_walk(root)):
        if element["/S"] == "/Link" or "/K" not in element:
            continue
        kids = element["/K"]
        for kid in list(kids):
            objr = kid.get_object()
            if not (isinstance(objr, DictionaryObject) and objr.get("/Type") == "/OBJR"):
                continue
            link = next((a for a in reversed(ancestors) if a.get_object()["/S"] == "/Link"), None)
            if link is None:
                new = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                        NameObject("/S"): NameObject("/Link"), NameObject("/P"): ref,
                                        NameObject("/K"): ArrayObject([kid])})
                if "/Pg" in objr:
                    new[NameObject("/Pg")] = objr.raw_get("/Pg")
                link = writer._add_object(new)
                kids[kids.index(kid)] = link
            else:
                kids.remove(kid)
                link.get_object()["/K"].append(kid)
            annotation = objr.get("/Obj")
            if annotation is not None and "/StructParent" in annotation.get_object():
                parents[int(annotation.get_object()["/StructParent"])] = link
    nums = root["/ParentTree"].get_object()["/Nums"]
    for i in range(0, len(nums), 2):
        if int(nums[i]) in parents:
            nums[i + 1] = parents[int(nums[i])]


def _name_notes(root: DictionaryObject) -> None:
    """[PDF/UA 7.9] Every Note has an ID, unique in the document, found through the IDTree."""
    names = ArrayObject()
    notes = [ref for ref, element, _ in _walk(root) if element["/S"] == "/Note"]
    for number, ref in enumerate(notes, 1):
        key = TextStringObject(f"note-{number:05d}")  # zero-padded: the name tree's keys sort as strings
        ref.get_object()[NameObject("/ID")] = key
        names += [key, ref]
    if names:
        root[NameObject("/IDTree")] = DictionaryObject({NameObject("/Names"): names})


def _describe_links(writer: PdfWriter, outline: list[OutlineItem]) -> None:
    """[PDF/UA 7.18.1, 7.18.5] Link annotations are printed like the page, and each says
    where it goes: an address (WeasyPrint's /Contents) or, for a link within the document,
    the title of the article at its destination instead of the placeholder address."""
    titles: dict[int, str] = {}

    def collect(items):
        for item in items:
            titles.setdefault(item.page, item.title)
            collect(item.children)

    collect(outline)
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(writer.pages)}
    for page in writer.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            annot[NameObject("/F")] = NumberObject(4)  # Print
            if str(annot.get("/Contents", "")).startswith(GOTO):
                target = pages.get(annot["/Dest"][0].idnum) if "/Dest" in annot else None
                if target in titles:
                    annot[NameObject("/Contents")] = TextStringObject(titles[target])
                else:
                    del annot[NameObject("/Contents")]


def _add_xmp(writer: PdfWriter, info: DocInfo) -> None:
    """[PDF/UA 5, 7.1] XMP metadata with the title (dc:title), the language and the claim
    of PDF/UA-1 (pdfuaid:part), matching the document information dictionary."""
    set_xmp(writer, title=info.title, author=info.author, subject=info.subject, lang=info.lang, date=info.date,
            claims=(PDF_UA_1,))


def _name_fonts_by_program(writer: PdfWriter, programs: Memo | None = None) -> None:
    """Give every embedded font a subset tag made from its program, so equal tags mean equal
    programs. WeasyPrint tags a font by its description alone, so each part's own subset of a
    face came out under one name (ISO 32000-1 9.6.4 wants a tag per subset, and a RIP or
    Acrobat may take one program for another of the same name). `programs`: the digests of the
    programs by their stored (compressed) bytes, which the three PDFs of a build share: each
    program decompressed once, not once per PDF."""
    programs = Memo() if programs is None else programs
    for obj in writer._objects:
        if not isinstance(obj, DictionaryObject) or obj.get("/Type") != "/Font" or "/DescendantFonts" not in obj:
            continue
        cid_font = obj["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        program = next((descriptor[key].get_object() for key in ("/FontFile3", "/FontFile2", "/FontFile")
                        if key in descriptor), None)
        if program is None:
            continue
        stored = (program._data, repr(program.get("/Filter")), repr(program.get("/DecodeParms")))
        digest = programs.get(stored, lambda: hashlib.sha256(program.get_data()).digest())
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        name = NameObject(f"/{tag}+{str(descriptor['/FontName']).partition('+')[2] or str(descriptor['/FontName'])[1:]}")
        for target, key in ((obj, "/BaseFont"), (cid_font, "/BaseFont"), (descriptor, "/FontName")):
            target[NameObject(key)] = name


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
