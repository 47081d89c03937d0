"""What one process keeps from one build to the next: the session.

The command line makes one Session for its one build; `serve` makes one for as
long as it runs, and every rebuild is given the same. Each stage that can reuse
its work (an article converted, a pair of articles aligned, a photo decoded, a
typeset part parsed) is handed its own Memo of the session and keys what it
keeps by the content it was made from, so that an entry can never be stale: an
edited file is simply a new key.

One rule for what a new build keeps: the entries the last build used. An entry
that a build does not ask for (the part an edit replaced, the old version of an
article) is gone at the start of the build after it: a server that stays up
for a day holds one build's worth of memos, never a day's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")
_NONE = object()  # no value kept (a value may be None)


class Memo(Generic[T]):
    """Values by the content they were made from, for the last build and this one.
    Thread-safe as the stages use it: the editions' layout threads may ask for the same key,
    and at worst make the same value twice."""

    def __init__(self) -> None:
        self._current: dict[Hashable, T] = {}
        self._previous: dict[Hashable, T] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept for `key` by this build or the last, else `make()`, kept."""
        try:
            return self._current[key]
        except KeyError:
            pass
        value = self._previous.pop(key, _NONE)
        if value is _NONE:
            value = make()
        self._current[key] = value
        return value

    def new_build(self) -> None:
        """Forget what the build before the last one used and the last did not."""
        self._previous, self._current = self._current, {}

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)


class Bounded(Generic[T]):
    """A memo of a pure function, holding at most `limit` (counted by `size`, else one an entry):
    the oldest entries go first. What a typesetter keeps of the paragraphs it set (Composing), where
    the Memo's rule (what the last build used) does not fit: serve sets every article part between
    edits, and a worker sets one part after another."""

    def __init__(self, limit: int, size: Callable[[Hashable], int] | None = None) -> None:
        self._kept: dict[Hashable, T] = {}
        self._limit, self._size, self._total = limit, size, 0

    def find(self, key: Hashable) -> T | None:
        return self._kept.get(key)

    def keep(self, key: Hashable, value: T) -> T:
        if key not in self._kept:
            self._total += self._size(key) if self._size else 1
        self._kept[key] = value
        while self._total > self._limit:
            oldest = next(iter(self._kept))
            del self._kept[oldest]
            self._total -= self._size(oldest) if self._size else 1
        return value

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self._kept.get(key, _NONE)
        return self.keep(key, make()) if found is _NONE else found

    def clear(self) -> None:
        self._kept.clear()
        self._total = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._kept


PARAGRAPHS = 256  # paragraphs' items and breaks kept: an article's, a few MB
STREAM_BYTES = 4 * 2**20  # bytes of PDF streams kept with their compressed bytes: an article's, and more
FACE_BYTES = 8 * 2**20  # bytes of faces kept with their subsets (an issue's subset of a face: 0.2-0.4 MB)


def _face_size(key: tuple) -> int:
    return len(key[0])  # press.subsets' key: the face's bytes first (its subset is smaller)


@dataclass
class Composing:
    """What a typesetter (press.typeset) keeps of what it set, handed down to the composer through
    the layout (press/relayout.py puts it on WeasyPrint's layout context) and to the PDF writer
    (press/deflate.py, press/subsets.py): all pure functions of what they are made from, so nothing
    kept is ever stale. The same paragraph laid out again (a make-up trial, serve's next edit) finds
    its items and breaks made; its PDF the fonts and pages it shares with the last one compressed,
    and its faces subset if it uses the same glyphs. A worker
    forgets them after each part: no other part has the same paragraphs."""

    items: Bounded = field(default_factory=lambda: Bounded(PARAGRAPHS))  # press.paragraphs: a text's items
    shaped: Bounded = field(default_factory=lambda: Bounded(4 * PARAGRAPHS))  # press.paragraphs: a text shaped
    breaks: Bounded = field(default_factory=lambda: Bounded(PARAGRAPHS))  # press.linebreak.compose: the breaks found
    deflated: Bounded = field(default_factory=lambda: Bounded(STREAM_BYTES, len))  # press.deflate: a stream compressed
    subsets: Bounded = field(default_factory=lambda: Bounded(FACE_BYTES, _face_size))  # press.subsets: a face subset

    def forget(self) -> None:
        for kept in (self.items, self.shaped, self.breaks, self.deflated, self.subsets):
            kept.clear()


@dataclass
class Session:
    """The memos of every stage, and what the process has set up once. Mutable on purpose (it
    is the one object that is): passed down explicitly, never found in a module."""

    parsed: Memo = field(default_factory=Memo)  # press.blocks: an article's body as markdown-it reads it, by the body
    converted: Memo = field(default_factory=Memo)  # press.markup: ArticleHtml by article and text
    blocks: Memo = field(default_factory=Memo)  # press.blocks: an article's blocks by its path and text
    compared: Memo = field(default_factory=Memo)  # press.parity: the aligned rows of a pair, by both texts
    decoded: Memo = field(default_factory=Memo)  # press.preflight: an image's width and mode, by its digest
    coverage: Memo = field(default_factory=Memo)  # press.fonts: the code points of the faces, by their digests
    font_sets: Memo = field(default_factory=Memo)  # press.fonts: the faces subset for a character set, by their entries
    parts: Memo = field(default_factory=Memo)  # press.finish: a typeset part parsed (a pikepdf.Pdf), by its bytes
    font_programs: Memo = field(default_factory=Memo)  # press.finish: a font program's digest, by its stored bytes
    typesetters: Memo = field(default_factory=Memo)  # press.typeset: this process's own typesetter (serve)
    templates: Memo = field(default_factory=Memo)  # press.render: the Jinja environment of a templates folder
    # press.manifest: the SHA-256 of files by path, inode, size and times (those settled when read: see
    # manifest.file_digest). The fingerprint prunes it to the files it read, and saves those (digests.json).
    digests: dict = field(default_factory=dict)
    frozen: bool = False  # press.pipeline: the stages' modules are out of the collector's sight
    warmed: bool = False  # the typesetter of this process made, before any edit (press.typeset: serve)
    unwarmed: list = field(default_factory=list)  # the last build's article parts, for press.typeset.warm_up_between_edits
    typesetting_code: tuple = ()  # press.typeset._typesetting_code(): the modules that set type, found once
    page_files: dict = field(default_factory=dict)  # press.proof: the proof's page images read, as manifest.file_digest keeps them

    def new_build(self) -> None:
        for memo in (self.parsed, self.converted, self.blocks, self.compared, self.decoded, self.coverage, self.font_sets,
                     self.parts, self.font_programs, self.typesetters, self.templates):
            memo.new_build()
