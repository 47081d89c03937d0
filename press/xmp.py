"""The XMP metadata packet of a PDF: what its Info dictionary says, and what it claims to be.

The reading PDFs claim PDF/UA-1 (pdfuaid), the press PDF PDF/X-4 (pdfxid); both say the same
title, author, subject, language and dates as their Info dictionaries, as both standards want.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape as _escape


@dataclass(frozen=True)
class Claim:
    """Properties of one XMP namespace: a conformance claim, or the document's identifiers."""

    prefix: str
    namespace: str
    properties: tuple[tuple[str, str], ...]


PDF_UA_1 = Claim("pdfuaid", "http://www.aiim.org/pdfua/ns/id/", (("part", "1"),))
PDF_X_4 = Claim("pdfxid", "http://www.npes.org/pdfx/ns/id/", (("GTS_PDFXVersion", "PDF/X-4"),))


def escape(text: str) -> str:
    """&, < and > as XML wants them in element text. xml.sax.saxutils.escape does the same, and
    loads urllib.request with it (http.client, ssl, email: 0.045 CPU-s of every cold build)."""
    return _escape(text, quote=False)


def document_ids(document_id: str) -> Claim:
    return Claim("xmpMM", "http://ns.adobe.com/xap/1.0/mm/", (
        ("DocumentID", f"uuid:{document_id}"), ("VersionID", "1"), ("RenditionClass", "default")))


def set_xmp(writer, *, title: str, author: str, subject: str, lang: str | None, date: dt.date,
            claims: tuple[Claim, ...], trapped: bool | None = None) -> None:
    """Write the packet into the catalog of a pypdf PdfWriter, replacing any there."""
    from pypdf.generic import NameObject, StreamObject

    # The tool named as the Info dictionary names it (the reading PDF's, which this one is made from).
    creator = str((writer.metadata or {}).get("/Creator", "press (WeasyPrint, pypdf)"))
    xmp = StreamObject()
    xmp.set_data(xmp_packet(title=title, author=author, subject=subject, lang=lang, date=date, claims=claims,
                            trapped=trapped, creator=creator))
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)


def xmp_packet(*, title: str, author: str, subject: str, lang: str | None, date: dt.date, claims: tuple[Claim, ...],
               trapped: bool | None = None, creator: str = "press (WeasyPrint, pypdf)") -> bytes:
    """The packet, as the Metadata stream of the catalog holds it. `creator`: the tool that wrote the file."""
    stamp = f"{date:%Y-%m-%d}T00:00:00Z"
    namespaces = "".join(f'\n    xmlns:{c.prefix}="{c.namespace}"' for c in claims)
    lines = [
        "<dc:format>application/pdf</dc:format>",
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>',
        f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>",
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>',
        *([f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>"] if lang else []),
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        f"<xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>",
        "<pdf:Producer>press</pdf:Producer>",
        *([f"<pdf:Trapped>{'True' if trapped else 'False'}</pdf:Trapped>"] if trapped is not None else []),
        *(f"<{c.prefix}:{name}>{escape(value)}</{c.prefix}:{name}>" for c in claims for name, value in c.properties),
    ]
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        f'    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"{namespaces}>\n'
        + "".join(f"   {line}\n" for line in lines)
        + "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
    return packet.encode()
