"""The project's fonts: what they can draw, and their per-issue subsets.

fonts/ holds the committed faces (already cut down to GB 2312 and the
Latin and punctuation blocks, see fonts/README.md). A build subsets each
face again to the characters the issue uses, so WeasyPrint handles small
fonts; the subsets are cached on disk by font hash and character set, so
a rebuild pays nothing for them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .manifest import file_digest

FONT_SUFFIXES = (".otf", ".ttf")
# Always kept: ASCII for page numbers and labels, and what layout itself inserts
# (the hyphen of hyphenation, no-break and thin spaces, the ellipsis of overflow, the bullet
# of a list, the zero-width space of a break opportunity in an address).
BASE_CHARS = frozenset(range(0x20, 0x7F)) | {0x00A0, 0x00AD, 0x2010, 0x2004, 0x2005, 0x2009, 0x2026, 0x2022, 0x200B}
# Names how _subset cuts a face; change it when that changes, so cached subsets are remade.
RECIPE = "harfbuzz, all layout features"


@dataclass(frozen=True)
class FontSet:
    """Subset font files of one issue, by the file name used in styles/fonts.css."""

    files: dict[str, bytes]
    key: str = ""  # names the character set: equal keys, equal fonts


def font_files(fonts_dir: Path) -> list[Path]:
    return sorted(p for p in Path(fonts_dir).iterdir() if p.suffix in FONT_SUFFIXES)


def coverage(fonts_dir: Path) -> frozenset[int]:
    """Every code point some project font can draw (read again when a font file changes)."""
    return _coverage(tuple((path, file_digest(path)) for path in font_files(fonts_dir)))


@lru_cache(maxsize=2)
def _coverage(fonts: tuple[tuple[Path, bytes], ...]) -> frozenset[int]:
    import uharfbuzz as hb

    cover: set[int] = set()
    for path, _ in fonts:
        cover.update(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)
    return frozenset(cover)


def subset_fonts(fonts_dir: Path, chars: set[str], cache_dir: Path) -> FontSet:
    codepoints = frozenset(ord(c) for c in chars) | BASE_CHARS
    key = hashlib.sha256(" ".join([RECIPE, *map(str, sorted(codepoints))]).encode()).hexdigest()[:16]
    cache = Path(cache_dir) / "fonts"
    cache.mkdir(parents=True, exist_ok=True)
    files = {}
    for path in font_files(fonts_dir):
        target = cache / f"{path.stem}-{file_digest(path).hex()[:16]}-{key}{path.suffix}"
        if target.exists():
            files[path.name] = target.read_bytes()
            continue
        files[path.name] = _subset(path.read_bytes(), codepoints)
        # Write then rename, so two builds at once never read half a font.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(files[path.name])
        os.replace(tmp, target)
    return FontSet(files, key)


def _subset(data: bytes, codepoints: frozenset[int]) -> bytes:
    """HarfBuzz's subsetter: tens of milliseconds where fontTools takes seconds for a CJK face.
    Every OpenType layout feature is kept (vert, halt, palt, kern…), and the output is
    a function of the input alone (no timestamps), so builds stay byte-reproducible."""
    import uharfbuzz as hb

    subset_input = hb.SubsetInput()
    for codepoint in sorted(codepoints):
        subset_input.unicode_set.add(codepoint)
    # The set starts as HarfBuzz's list of default features; inverting it alone would keep
    # every feature *but* those (kern, locl, vert…). Emptied first, inverted it means all.
    features = subset_input.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)
    features.clear()
    features.invert()
    return hb.subset(hb.Face(hb.Blob(data)), subset_input).blob.data
