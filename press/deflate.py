"""PDF streams deflated once: the same bytes, to be compressed again, are found compressed.

pydyf compresses every stream of a typeset part at zlib's level 9 as WeasyPrint writes it
(pydyf.Stream.data). serve typesets an edited article again in the same process, and most of
what its PDF holds is the same bytes as in the last build: its fonts (the part's subsets of the
same glyphs) and the pages the edit did not reach. They took 0.025 CPU-s of each edit of
share-solutions.zh (0.49 MB compressed again, 0.31 CPU-s in all). Kept by the typesetter
(press.session.Composing.deflated), by their bytes, up to STREAM_BYTES of them; the compressed
bytes are zlib's, as before (tests/test_relayout.py).
"""

from __future__ import annotations

import zlib
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from .session import Bounded

SMALL = 2048  # a stream this short is compressed again: no gain worth keeping it


def deflated(data: bytes, kept: "Bounded | None" = None) -> bytes:
    """The bytes as pydyf compresses a stream; found in `kept` if compressed before."""
    if kept is None or len(data) < SMALL:
        return _deflate(data)
    return kept.get(data, lambda: _deflate(data))


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(level=9)
    return compressor.compress(data) + compressor.flush()


@contextmanager
def keeping(kept: "Bounded") -> Iterator[None]:
    """The streams of the PDFs written meanwhile found in, and kept in, `kept` (the typesetter's,
    press.session.Composing). pydyf's Stream is made deep in WeasyPrint's writer and takes nothing
    of ours: the memo is lent to the class for the time of one write (one part at a time in a
    process: press.typeset._IN_PROCESS)."""
    import pydyf

    pydyf.Stream.press_kept = kept
    try:
        yield
    finally:
        pydyf.Stream.press_kept = None


def install() -> None:
    """pydyf's Stream.data, its compression through deflated()."""
    import pydyf
    from pydyf import Dictionary, _to_bytes

    def data(self):
        stream = b'\n'.join(_to_bytes(item) for item in self.stream)
        extra = Dictionary(self.extra.copy())
        if self.compress:
            extra['Filter'] = '/FlateDecode'
            stream = deflated(stream, self.press_kept)
        extra['Length'] = len(stream)
        return b'\n'.join((extra.data, b'stream', stream, b'endstream'))

    pydyf.Stream.data = property(data)
    pydyf.Stream.press_kept = None
