"""What each page of a typeset part draws, digested as WeasyPrint writes the part.

Equal digests, equal pages: the proof draws again only the pages an edit changed (press.proof,
press.edition.page_keys), where a digest of the whole part would draw all of them again. A page
is digested with its content streams, size and everything they can name (the part's resources,
fonts and images whole), by value, not its links or its place in the structure tree.

Taken from the objects WeasyPrint hands its finisher (pydyf's, before they are written): reading
the page back from the written part with pypdf, in Python, took 0.016 CPU-s of each edit's way to
the proof in serve (most of it parsing the part's object streams), 0.001-0.003 s here.
"""

from __future__ import annotations

import hashlib
import re

# How a reference is written, whatever Python value a dictionary or array holds it as (bytes,
# text, or the three items of an array): read from the serialised object, as a PDF reader would.
_REFERENCE = re.compile(rb"(\d+) (\d+) R\b")
_SKIPPED = ("Parent", "Annots", "StructParents")  # a page's links and place, not what it draws


def page_digests(pdf) -> tuple[str, ...]:
    """The digest of each page of a pydyf.PDF (WeasyPrint's finisher hands it over written whole,
    before its trailer), in page order."""
    from pydyf import Dictionary

    known: dict[int, bytes] = {}  # WeasyPrint shares one resource dictionary among the pages
    digests = []
    for number in pdf.pages["Kids"][::3]:  # each page as [number, 0, "R"]
        page = pdf.objects[number]
        own = Dictionary({key: value for key, value in page.items() if key not in _SKIPPED})
        digests.append(hashlib.sha256(_resolved(pdf, own.data, known)).hexdigest()[:24])
    return tuple(digests)


def _digest(pdf, number: int, known: dict[int, bytes]) -> bytes:
    """An object's digest, by value: every object it refers to in it by digest, not by number."""
    if number not in known:
        from pydyf import Dictionary, Stream

        known[number] = b"..."  # a reference back to itself (none in a part's pages): cut short
        obj = pdf.objects[number]
        if isinstance(obj, Stream):
            # Its dictionary as written but what compression adds; its data before compression
            # (equal data compresses equally).
            from pydyf import _to_bytes

            head = _resolved(pdf, Dictionary(obj.extra).data, known)
            body = b"\n".join(_to_bytes(item) for item in obj.stream)
            known[number] = hashlib.sha256(head + b"stream" + body).digest()
        else:
            known[number] = hashlib.sha256(_resolved(pdf, obj.data, known)).digest()
    return known[number]


def _resolved(pdf, data: bytes, known: dict[int, bytes]) -> bytes:
    """Serialised data with each reference to an object of the PDF replaced by its digest."""
    def replace(match: re.Match) -> bytes:
        number = int(match[1])
        if not 0 < number < len(pdf.objects) or int(match[2]) != pdf.objects[number].generation:
            return match[0]  # text that reads as a reference but names no object
        return b"<" + _digest(pdf, number, known).hex().encode() + b">"

    return _REFERENCE.sub(replace, data)
