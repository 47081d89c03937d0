"""PDF streams deflated once: the same bytes, to be compressed again, are found compressed.

pydyf compresses every stream of a typeset part at zlib's level 9 as WeasyPrint writes it
(pydyf.Stream.data). serve typesets an edited article again in the same process, and most of
what its PDF holds is the same bytes as in the last build: its fonts (the part's subsets of the
same glyphs) and the pages the edit did not reach. They took 0.025 CPU-s of each edit of
share-solutions.zh (0.49 MB compressed again, 0.31 CPU-s in all). Kept here by their bytes, up to
KEPT bytes of them; the compressed bytes are zlib's, as before (tests/test_relayout.py).
"""

from __future__ import annotations

import zlib

KEPT = 4 * 2**20  # bytes of streams kept with their compressed bytes: an article's, and more
SMALL = 2048  # a stream this short is compressed again: no gain worth keeping it
_DEFLATED: dict[bytes, bytes] = {}  # a memo of a pure function, bounded (tests/test_session.py)


def deflated(data: bytes) -> bytes:
    """The bytes as pydyf compresses a stream."""
    found = _DEFLATED.get(data) if len(data) >= SMALL else None
    if found is None:
        compressor = zlib.compressobj(level=9)
        found = compressor.compress(data) + compressor.flush()
        if len(data) >= SMALL:
            _DEFLATED[data] = found
            while sum(map(len, _DEFLATED)) > KEPT:
                del _DEFLATED[next(iter(_DEFLATED))]  # the oldest
    return found


def forget() -> None:
    """Let go of the streams kept (press.typeset: a worker, between two parts)."""
    _DEFLATED.clear()


def install() -> None:
    """pydyf's Stream.data, its compression through deflated()."""
    import pydyf
    from pydyf import Dictionary, _to_bytes

    def data(self):
        stream = b'\n'.join(_to_bytes(item) for item in self.stream)
        extra = Dictionary(self.extra.copy())
        if self.compress:
            extra['Filter'] = '/FlateDecode'
            stream = deflated(stream)
        extra['Length'] = len(stream)
        return b'\n'.join((extra.data, b'stream', stream, b'endstream'))

    pydyf.Stream.data = property(data)
