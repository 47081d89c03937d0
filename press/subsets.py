"""Fonts subset once: the same face and glyphs, to be subset again, are found subset.

WeasyPrint subsets every face a part uses with HarfBuzz as it writes the part's PDF
(weasyprint.pdf.fonts.Font.subset). serve typesets an edited article again in the same
process, and its PDF most often uses the same glyphs of the same faces as in the last build:
subsetting them again was 12 ms of each edit of share-solutions.zh (0.28 CPU-s in all, on the
way from the save to the tab). Kept by the typesetter (press.session.Composing.subsets), by
the face's bytes and the glyphs kept; HarfBuzz's subset is a function of those alone, so the
part's bytes are the same (tests/test_relayout.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from .session import Bounded


@contextmanager
def keeping(kept: "Bounded") -> Iterator[None]:
    """The faces of the PDFs written meanwhile found in, and kept in, `kept` (the typesetter's).
    The Font is made deep in WeasyPrint's writer and takes nothing of ours: the memo is lent to
    the class for the time of one write, as press.deflate lends its own."""
    from weasyprint.pdf.fonts import Font

    Font.press_subsets = kept
    try:
        yield
    finally:
        Font.press_subsets = None


def install() -> None:
    """Font.subset, found in the memo lent when it is: the same face (its bytes and index), glyphs,
    hinting and notdef outline (kept when glyphs are missing) give the same subset."""
    from weasyprint.pdf.fonts import Font

    subset = Font.subset

    def subset_once(self, to_unicode, hinting):
        kept = Font.press_subsets
        if kept is None or not to_unicode:
            return subset(self, to_unicode, hinting)
        key = (self.file_content, self.index, tuple(sorted(to_unicode)), bool(hinting), bool(self.missing))
        found = kept.find(key)
        if found is None:
            whole = self.file_content
            subset(self, to_unicode, hinting)
            if self.file_content is whole:  # not subset (WeasyPrint has said why): said again next time
                return None
            found = kept.keep(key, self.file_content)
        self.file_content = found
        return None

    Font.subset = subset_once
    Font.press_subsets = None
