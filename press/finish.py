"""Assemble typeset parts into one finished PDF with qpdf (pikepdf).

Parts are concatenated in page order, each page is stamped with its page
of the running-head overlay, and the document gets its outline, links
from the contents, metadata and language. Everything that could vary
between runs (dates, the document ID) is derived from the issue.

qpdf parses and writes in C++: with pypdf, whose parser is Python, reading the parts and writing
the three PDFs of 2020-02 took most of the main process's CPU time of a cold build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .render import LANG_TAGS
from .session import Memo, Session
from .typeset import TypesetPart
from .xmp import PDF_UA_1, xmp_packet


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
CREATOR = "press (WeasyPrint, qpdf)"


def _read_part(pdf: bytes, session: Session | None) -> pikepdf.Pdf:
    """A typeset part, parsed once for every PDF that holds it. A process that stays up (serve)
    keeps the parts of its last build for the next (session.parts), and no others: a part an edit
    replaced is never asked for again. Parts are only read from: each finished PDF copies what it
    takes (qpdf reads the copied streams' data from the part when it writes, so the part stays open)."""
    if session is None:
        return pikepdf.open(io.BytesIO(pdf))
    return session.parts.get(pdf, lambda: pikepdf.open(io.BytesIO(pdf)))


def assemble(parts: list[TypesetPart], overlays: list[TypesetPart], outline: list[OutlineItem], info: DocInfo,
             anchors: dict[str, int] | None = None, session: Session | None = None,
             checkpoint: Callable[[], None] | None = None) -> bytes:
    """One finished PDF from its parts in page order. `checkpoint` is called between steps, and may
    raise to stop (serve: a newer edit was saved, whose proof must not wait for this PDF)."""
    checkpoint = checkpoint or (lambda: None)
    pdf = pikepdf.new()
    stamps = [page for overlay in overlays for page in _read_part(overlay.pdf, session).pages]
    index = 0
    tagged = []
    for part in parts:
        checkpoint()
        source = _read_part(part.pdf, session)
        added = []
        for page in source.pages:
            pdf.pages.append(page)
            added.append(pdf.pages[-1].obj)
            _stamp(pdf, added[-1], stamps[index].obj)
            index += 1
        # A bilingual part (cover, contents) has the language of its document, as its HTML has.
        tagged.append((source, added, LANG_TAGS.get(part.lang, info.lang)))
    checkpoint()
    walked = _merge_structure(pdf, tagged)
    checkpoint()
    _name_fonts_by_program(pdf, session.font_programs if session is not None else None)
    pages = [page.obj for page in pdf.pages]
    _resolve_links(pages, anchors or {})
    _add_outline(pdf, pages, outline)
    stamp = _pdf_date(info.date)
    pdf.trailer[Name.Info] = pdf.make_indirect(Dictionary({
        "/Title": String(info.title),
        "/Author": String(info.author),
        "/Subject": String(info.subject),
        "/Creator": String(CREATOR),
        "/Producer": String("press"),
        "/CreationDate": String(stamp),
        "/ModDate": String(stamp),
    }))
    _make_accessible(pdf, pages, info, outline, walked)
    root = pdf.Root
    root[Name.Lang] = String(info.lang)
    root[Name.ViewerPreferences] = Dictionary({"/DisplayDocTitle": True})
    root[Name.PageMode] = Name.UseOutlines
    # The ID is a hash of everything that went in, so equal inputs give equal files; qpdf makes its
    # second half from the file's content (deterministic_id), never from the time.
    digest = hashlib.md5(repr((info, outline, sorted((anchors or {}).items()))).encode())
    for part in [*parts, *overlays]:
        digest.update(part.pdf)
    pdf.trailer[Name.ID] = Array([String(digest.digest()), String(digest.digest())])
    checkpoint()
    buffer = io.BytesIO()
    # The parts' own streams are written as they are stored (qpdf neither decodes nor compresses
    # them again); the structure tree's thousands of small objects go into object streams.
    pdf.save(buffer, min_version="1.7", fix_metadata_version=False, deterministic_id=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _stamp(pdf: pikepdf.Pdf, page: Dictionary, stamp: Dictionary) -> None:
    """Draw the overlay page over a page, as a form XObject: the page's own content
    stream is left as it is (merging the streams would parse and rewrite every page)."""
    contents = stamp.Contents
    if isinstance(contents, Array):
        form = pdf.make_stream(b"\n".join(stream.read_bytes() for stream in contents))
    else:
        # The overlay page's own stream, copied as stored (compressed), with the keys of a form.
        form = pdf.copy_foreign(contents)
    form[Name.Type] = Name.XObject
    form[Name.Subtype] = Name.Form
    form[Name.BBox] = Array([*stamp.MediaBox])
    # The overlay's fonts copied into the document once (qpdf copies each object of a part once).
    form[Name.Resources] = _copy(pdf, stamp.get(Name.Resources))
    # WeasyPrint shares one resource dictionary among the pages of a document: give this
    # page its own (shallow) copy before naming its overlay in it.
    resources = Dictionary({key: value for key, value in page.Resources.items()})
    xobjects = Dictionary({key: value for key, value in resources.get(Name.XObject, Dictionary()).items()})
    xobjects[Name("/PressOverlay")] = form
    resources[Name.XObject] = xobjects
    page[Name.Resources] = resources
    # Running heads and folios are pagination artifacts: outside the structure tree, so a
    # screen reader never reads them in the middle of a sentence.
    draw = pdf.make_stream(b"/Artifact <</Type /Pagination>> BDC q /PressOverlay Do Q EMC")
    existing = list(page.Contents) if isinstance(page.Contents, Array) else [page.Contents]
    # Wrap the page's own drawing in q/Q, so a state it leaves set cannot shift the overlay.
    page[Name.Contents] = Array([pdf.make_stream(b"q"), *existing, pdf.make_stream(b"Q"), draw])


def _copy(pdf: pikepdf.Pdf, value):
    """A value of a part as the document's own: an indirect object copied by qpdf (once per part:
    qpdf maps what it copied, so a copied page or annotation is found, not copied again), a
    direct dictionary or array rebuilt around its copied values, a scalar as it is."""
    if isinstance(value, pikepdf.Object):
        if value.is_indirect:
            return pdf.copy_foreign(value)
        if isinstance(value, Dictionary):
            return Dictionary({key: _copy(pdf, item) for key, item in value.items()})
        if isinstance(value, Array):
            return Array([_copy(pdf, item) for item in value])
    return value


def _merge_structure(pdf: pikepdf.Pdf, parts: list[tuple[pikepdf.Pdf, list, str]]) -> list["_Walked"]:
    """One structure tree for the assembled document, made of each part's tree.

    Each part's tree is copied here under a Part element carrying the part's language; the keys
    that tie pages and links to the tree (StructParents, StructParent and the ParentTree) are
    renumbered so the parts' keys follow one another. Returns the parts' elements as copied, in
    the tree's order (what _make_accessible looks at, without walking the tree again)."""
    walked: list[_Walked] = []
    root = pdf.make_indirect(Dictionary({"/Type": Name.StructTreeRoot}))
    document = pdf.make_indirect(Dictionary({"/Type": Name.StructElem, "/S": Name.Document, "/P": root}))
    document_kids, nums, next_key = [], [], 0
    for source_pdf, pages, lang in parts:
        source = source_pdf.Root.get(Name.StructTreeRoot)
        if source is None:
            for page in pages:  # keys into a tree that is not there
                if Name.StructParents in page:
                    del page[Name.StructParents]
            continue
        copier = _StructureCopier(pdf, source_pdf, pages, walked)
        part = pdf.make_indirect(Dictionary({"/Type": Name.StructElem, "/S": Name.Part, "/P": document,
                                             "/Lang": String(lang)}))
        part[Name.K] = Array([copier.element(kid, part) for top in _kids(source) for kid in _kids(top)])
        document_kids.append(part)
        keys = _number_tree(source.ParentTree)
        for key, value in keys:
            mapped = Array([copier.mapped(v) for v in value]) if isinstance(value, Array) else copier.mapped(value)
            nums += [key + next_key, mapped]
        for src, page in zip(source_pdf.pages, pages):
            if Name.StructParents in src.obj:
                page[Name.StructParents] = int(src.obj.StructParents) + next_key
            for annot in page.get(Name.Annots, None) or []:
                if Name.StructParent in annot:
                    annot[Name.StructParent] = int(annot.StructParent) + next_key
        next_key += max((key for key, _ in keys), default=-1) + 1
    document[Name.K] = Array(document_kids)
    root[Name.K] = Array([document])
    root[Name.ParentTree] = pdf.make_indirect(Dictionary({"/Nums": Array(nums)}))
    root[Name.ParentTreeNextKey] = next_key
    pdf.Root[Name.StructTreeRoot] = root
    pdf.Root[Name.MarkInfo] = Dictionary({"/Marked": True})
    return walked


@dataclass
class _Walked:
    """A structure element as copied: the elements it is in (the part's, nearest last), its type,
    and whether an object reference (a link annotation's) is among its kids."""
    element: Dictionary
    ancestors: tuple
    role: str
    holds_annotation: bool = False


class _StructureCopier:
    """Copies structure elements of one part into the document, pointing them at the copied pages."""

    def __init__(self, pdf: pikepdf.Pdf, source: pikepdf.Pdf, pages: list, walked: list[_Walked]) -> None:
        self.pdf, self.walked, self._reference = pdf, walked, None
        self.pages = {src.obj.objgen: new for src, new in zip(source.pages, pages)}
        self.annots = {}
        for src, new in zip(source.pages, pages):
            for a, b in zip(src.obj.get(Name.Annots, None) or [], new.get(Name.Annots, None) or []):
                if a.is_indirect:
                    self.annots[a.objgen] = b
        self.elements: dict[tuple[int, int], pikepdf.Object] = {}

    def mapped(self, ref):
        return self.elements.get(ref.objgen, None) if _indirect(ref) else None

    def element(self, source, parent, parent_page=None, ancestors: tuple = ()):
        if not isinstance(source, Dictionary):
            return int(source)  # a marked-content id
        # Read once into Python: each look-up in a pikepdf object is a call into qpdf.
        entries = dict(source.items())
        kids = entries.get("/K")
        kids = [] if kids is None else list(kids) if isinstance(kids, Array) else [kids]
        page = entries["/Pg"].objgen if "/Pg" in entries else None
        if entries.get("/S") == Name.Span and entries.keys() <= _SPAN_KEYS and len(kids) == 1 \
                and isinstance(kids[0], int):
            # WeasyPrint wraps each line of text in a Span of its own, with nothing to say:
            # its marked content goes straight into the parent (half the objects to copy and write).
            if source.is_indirect:
                self.elements[source.objgen] = parent
            if page is None or page == parent_page:
                return kids[0]
            return Dictionary({"/Type": Name.MCR, "/MCID": kids[0], "/Pg": self.pages.get(page, None)})
        copy = {key: _copy(self.pdf, value) for key, value in entries.items() if key not in _LINKS}
        if page is not None:
            copy["/Pg"] = self.pages.get(page, None)
        if "/Obj" in entries:
            copy["/Obj"] = self.annots.get(entries["/Obj"].objgen, None)
        if "/S" in entries:  # a structure element, not a marked-content or object reference
            copy["/P"] = parent
        copy = self.pdf.make_indirect(Dictionary(copy))
        if source.is_indirect:
            self.elements[source.objgen] = copy
        walked = None
        if "/S" in entries:
            walked = _Walked(copy, ancestors, str(entries["/S"]))
            self.walked.append(walked)
        elif entries.get("/Type") == Name.OBJR:
            self._reference = copy
        if "/K" in entries:
            page = parent_page if page is None else page
            inner = (*ancestors, copy)
            copied = []
            for kid in kids:
                copied.append(self.element(kid, copy, page, inner))
                if self._reference is not None:
                    if self._reference is copied[-1] and walked is not None:
                        walked.holds_annotation = True
                    self._reference = None
            copy[Name.K] = Array(copied)
        return copy


_LINKS = frozenset(("/P", "/K", "/Pg", "/Obj"))
_SPAN_KEYS = frozenset(("/Type", "/S", "/K", "/P", "/Pg"))


def _indirect(value) -> bool:
    return isinstance(value, pikepdf.Object) and value.is_indirect


def _kids(element: Dictionary) -> list:
    kids = element.get(Name.K)
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _number_tree(node: Dictionary) -> list[tuple[int, object]]:
    pairs = []
    if Name.Nums in node:
        nums = node.Nums
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get(Name.Kids, None) or []:
        pairs += _number_tree(kid)
    return pairs


def _make_accessible(pdf: pikepdf.Pdf, pages: list, info: DocInfo, outline: list[OutlineItem],
                     walked: list[_Walked]) -> None:
    """What PDF/UA-1 asks of the merged document beyond its tags: every link annotation
    inside a Link element, described and printable; an ID on every Note; XMP metadata.
    `walked`: the structure elements, as _merge_structure copied them."""
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is not None:
        _links_in_link_elements(pdf, root, walked)
        _name_notes(root, walked)
    _describe_links(pages, outline)
    _add_xmp(pdf, info)


def _links_in_link_elements(pdf: pikepdf.Pdf, root: Dictionary, walked: list[_Walked]) -> None:
    """[PDF/UA 7.18.5] A link annotation's object reference belongs in a Link element.
    WeasyPrint puts it in the element of whichever box holds the link: a Span or a line
    inside the link, when the link is a block (the contents' entries). It moves to the
    nearest Link element around it, or into a new Link element in its place."""
    parents = {}
    for found in walked:
        if found.role == "/Link" or not found.holds_annotation:
            continue
        element, ancestors = found.element, found.ancestors
        kids = element.K
        if not isinstance(kids, Array):
            continue
        for kid in list(kids):
            if not (isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.OBJR):
                continue
            position = next(i for i, k in enumerate(kids) if _same(k, kid))
            link = next((a for a in reversed(ancestors) if a.S == Name.Link), None)
            if link is None:
                new = Dictionary({"/Type": Name.StructElem, "/S": Name.Link, "/P": element, "/K": Array([kid])})
                if Name.Pg in kid:
                    new[Name.Pg] = kid.Pg
                link = pdf.make_indirect(new)
                kids[position] = link
            else:
                del kids[position]
                link.K.append(kid)
            annotation = kid.get(Name.Obj)
            if annotation is not None and Name.StructParent in annotation:
                parents[int(annotation.StructParent)] = link
    nums = root.ParentTree.Nums
    for i in range(0, len(nums), 2):
        if int(nums[i]) in parents:
            nums[i + 1] = parents[int(nums[i])]


def _same(a, b) -> bool:
    """The same object: by number if indirect (an OBJR is one), else the very same value."""
    if _indirect(a) and _indirect(b):
        return a.objgen == b.objgen
    return a is b or (not _indirect(a) and not _indirect(b) and a == b)


def _name_notes(root: Dictionary, walked: list[_Walked]) -> None:
    """[PDF/UA 7.9] Every Note has an ID, unique in the document, found through the IDTree."""
    names = []
    notes = [found.element for found in walked if found.role == "/Note"]
    for number, element in enumerate(notes, 1):
        key = String(f"note-{number:05d}")  # zero-padded: the name tree's keys sort as strings
        element[Name.ID] = key
        names += [key, element]
    if names:
        root[Name.IDTree] = Dictionary({"/Names": Array(names)})


def _describe_links(pages: list, outline: list[OutlineItem]) -> None:
    """[PDF/UA 7.18.1, 7.18.5] Link annotations are printed like the page, and each says
    where it goes: an address (WeasyPrint's /Contents) or, for a link within the document,
    the title of the article at its destination instead of the placeholder address."""
    titles: dict[int, str] = {}

    def collect(items):
        for item in items:
            titles.setdefault(item.page, item.title)
            collect(item.children)

    collect(outline)
    numbers = {page.objgen: index for index, page in enumerate(pages)}
    for page in pages:
        for annot in page.get(Name.Annots, None) or []:
            if annot.get(Name.Subtype) != Name.Link:
                continue
            annot[Name.F] = 4  # Print
            if str(annot.get(Name.Contents, "")).startswith(GOTO):
                target = numbers.get(annot.Dest[0].objgen) if Name.Dest in annot else None
                if target in titles:
                    annot[Name.Contents] = String(titles[target])
                else:
                    del annot[Name.Contents]


def _add_xmp(pdf: pikepdf.Pdf, info: DocInfo) -> None:
    """[PDF/UA 5, 7.1] XMP metadata with the title (dc:title), the language and the claim
    of PDF/UA-1 (pdfuaid:part), matching the document information dictionary."""
    packet = xmp_packet(title=info.title, author=info.author, subject=info.subject, lang=info.lang, date=info.date,
                        claims=(PDF_UA_1,), creator=CREATOR)
    xmp = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    pdf.Root[Name.Metadata] = xmp


def _name_fonts_by_program(pdf: pikepdf.Pdf, programs: Memo | None = None) -> None:
    """Give every embedded font a subset tag made from its program, so equal tags mean equal
    programs. WeasyPrint tags a font by its description alone, so each part's own subset of a
    face came out under one name (ISO 32000-1 9.6.4 wants a tag per subset, and a RIP or
    Acrobat may take one program for another of the same name). `programs`: the digests of the
    programs by their stored (compressed) bytes, which the three PDFs of a build share: each
    program decompressed once, not once per PDF."""
    programs = Memo() if programs is None else programs
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get(Name.Type) != Name.Font or Name.DescendantFonts not in obj:
            continue
        cid_font = obj.DescendantFonts[0]
        descriptor = cid_font.FontDescriptor
        program = next((descriptor[key] for key in ("/FontFile3", "/FontFile2", "/FontFile") if key in descriptor), None)
        if program is None:
            continue
        stored = (program.read_raw_bytes(), repr(program.get(Name.Filter)), repr(program.get(Name.DecodeParms)))
        digest = programs.get(stored, lambda: hashlib.sha256(program.read_bytes()).digest())
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        font_name = str(descriptor.FontName)
        name = Name(f"/{tag}+{font_name.partition('+')[2] or font_name[1:]}")
        for target, key in ((obj, Name.BaseFont), (cid_font, Name.BaseFont), (descriptor, Name.FontName)):
            target[key] = name


def _resolve_links(pages: list, anchors: dict[str, int]) -> None:
    """Turn the contents' placeholder links into links to pages of this document."""
    for page in pages:
        for annot in page.get(Name.Annots, None) or []:
            action = annot.get(Name.A)
            uri = str(action.get(Name.URI, "")) if action is not None else ""
            if uri.startswith(GOTO):
                target = anchors.get(uri[len(GOTO):])
                del annot[Name.A]
                if target is not None:
                    annot[Name.Dest] = Array([pages[target], Name.Fit])


def _add_outline(pdf: pikepdf.Pdf, pages: list, outline: list[OutlineItem]) -> None:
    """The outline, every entry open, each going to its page as a whole (/Fit)."""
    if not outline:
        return
    root = pdf.make_indirect(Dictionary({"/Type": Name.Outlines}))
    root[Name.Count] = _add_items(pdf, pages, outline, root)
    pdf.Root[Name.Outlines] = root


def _add_items(pdf: pikepdf.Pdf, pages: list, items, parent: Dictionary) -> int:
    """The items under `parent`, linked in order; the number of entries they show (all open)."""
    made, shown = [], 0
    for item in items:
        node = pdf.make_indirect(Dictionary({
            "/Title": String(item.title), "/Parent": parent,
            "/A": Dictionary({"/S": Name.GoTo, "/D": Array([pages[item.page], Name.Fit])})}))
        count = _add_items(pdf, pages, item.children, node) if item.children else 0
        node[Name.Count] = count
        shown += 1 + count
        made.append(node)
    for before, after in zip(made, made[1:]):
        before[Name.Next], after[Name.Prev] = after, before
    parent[Name.First], parent[Name.Last] = made[0], made[-1]
    return shown


def _pdf_date(date: dt.date) -> str:
    return f"D:{date:%Y%m%d}000000Z"
