"""The project's fonts: what they can draw, and their per-issue subsets.

fonts/ holds the committed Latin faces; fonts/cjk/ the full Simplified
Chinese faces of Noto Serif CJK and Noto Sans CJK, made on each machine by
fonts/make_fonts.py (tools/setup.sh runs it); fonts/extra/ any face an
editor adds for characters none of these has (see fonts/README.md). A
build subsets each face to the characters the issue uses, so WeasyPrint
handles small fonts; the subsets are cached on disk by font hash and
character set, so a rebuild pays nothing for them.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from . import project
from .cache import Cache
from .errors import PressError, Problem
from .manifest import file_digest
from .project import CJK_DIR, EXTRA_DIR, FONT_SUFFIXES  # noqa: F401 (read by others)
from .session import Session

# Always kept: ASCII for page numbers and labels, and what layout itself inserts
# (the hyphen of hyphenation, no-break and thin spaces, the ellipsis of overflow, the bullet
# of a list, the zero-width space of a break opportunity in an address).
BASE_CHARS = frozenset(range(0x20, 0x7F)) | {0x00A0, 0x00AD, 0x2010, 0x2004, 0x2005, 0x2009, 0x2026, 0x2022, 0x200B, 0x2060}
# Names how _subset cuts a face; change it when that changes, so cached subsets are remade.
RECIPE = "harfbuzz, all layout features, CID = glyph index"


@dataclass(frozen=True)
class FontSet:
    """Subset font files of one issue, by the file name used in styles/fonts.css."""

    files: dict[str, bytes]
    key: str = ""  # names the character set: equal keys, equal fonts
    notes: tuple[Problem, ...] = ()  # damaged cache entries found (and made again) on the way


def font_files(fonts_dir: Path) -> list[Path]:
    """Every face of the project: fonts/, fonts/cjk/ and fonts/extra/ (press.project.font_files)."""
    found = project.font_files(fonts_dir)
    if found is None:
        raise PressError.at(Path(fonts_dir) / CJK_DIR, None, "the Chinese faces are not made on this machine: run "
                            "'make setup' (tools/setup.sh makes them from Debian's fonts-noto-cjk)", code="font.missing")
    return found


def coverage(fonts_dir: Path, session: Session | None = None) -> frozenset[int]:
    """Every code point some project font can draw (read again when a font file changes)."""
    fonts = tuple((path, file_digest(path, known=session and session.digests)) for path in font_files(fonts_dir))
    return _coverage(fonts) if session is None else session.coverage.get(fonts, lambda: _coverage(fonts))


def _coverage(fonts: tuple[tuple[Path, bytes], ...]) -> frozenset[int]:
    import uharfbuzz as hb

    cover: set[int] = set()
    for path, _ in fonts:
        cover.update(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)
    return frozenset(cover)


def subset_fonts(fonts_dir: Path, chars: set[str], cache_dir: Path, session: Session | None = None) -> FontSet:
    codepoints = frozenset(ord(c) for c in chars) | BASE_CHARS
    key = hashlib.sha256(" ".join([RECIPE, *map(str, sorted(codepoints))]).encode()).hexdigest()[:16]
    entries = [(path, f"{path.stem}-{file_digest(path, known=session and session.digests).hex()[:16]}-{key}{path.suffix}.entry")
               for path in font_files(fonts_dir)]
    if session is None:
        return _font_set(entries, codepoints, key, cache_dir)
    # serve: the entries read from the cache (and their digests checked) once while they are the same,
    # not at each edit, twice (the pages' faces and the reading view's: 3 ms each). What was found
    # damaged on the way is said once.
    made: list[FontSet] = []

    def read() -> FontSet:
        made.append(_font_set(entries, codepoints, key, cache_dir))
        return FontSet(made[0].files, key)

    kept = session.font_sets.get((str(cache_dir), *(name for _, name in entries)), read)
    return made[0] if made else kept


def _font_set(entries: list[tuple[Path, str]], codepoints: frozenset[int], key: str, cache_dir: Path) -> FontSet:
    """Each face subset to `codepoints`, from its cache entry (its name in `entries`), else made and kept there."""
    cache = Cache(cache_dir)
    files, made = {}, False
    for path, name in entries:
        found = cache.read("fonts", name, name)
        if found is None:
            found = _subset(path, codepoints)
            cache.write("fonts", name, name, found)  # two builds at once never read half a font
            made = True
        files[path.name] = found
    if made:
        # Subsetting the Chinese faces left 24 MB of this process's heap freed but kept (a cold build
        # of 2020-02: 62 -> 86 MB, 71 once given back), while the workers typeset: given back now.
        from .typeset import release_memory

        release_memory()
    return FontSet(files, key, tuple(cache.notes))


def _subset(path: Path, codepoints: frozenset[int]) -> bytes:
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
    # Mapped, not read: the Chinese faces are 16-25 MB each, and only the subset is kept.
    return _cids_as_glyph_indices(hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), subset_input).blob.data)


def _cids_as_glyph_indices(font: bytes) -> bytes:
    """Number the CIDs of a CID-keyed CFF font after its glyph indices.

    A subsetter packs the kept glyphs at new indices but keeps each glyph's CID, and
    WeasyPrint writes glyph indices where the PDF wants CIDs (Identity-H). ISO 32000-1
    9.7.4.2 has a reader find a CIDFontType0 glyph by CID, through the CFF charset: MuPDF
    and Ghostscript do, and drew nothing (or the wrong glyph) for every Chinese character;
    PDFium and Poppler take the code as a glyph index and hid it. An identity charset makes
    both readings the same glyph. The charset is written over the old one in place (an
    identity charset is 4 or 5 bytes, never longer than the one it replaces), so no other
    offset moves; the table's checksums are made again on saving."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    if font[:4] != b"OTTO":
        return font  # TrueType: glyphs are found by index
    source = TTFont(io.BytesIO(font), lazy=True)
    cff = bytearray(source.reader["CFF "])
    fontset = CFFFontSet()
    fontset.decompile(io.BytesIO(bytes(cff)), None)
    top = fontset.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return font  # name-keyed: no CIDs
    glyphs = len(top.charset)
    if all(name == f"cid{gid:05d}" for gid, name in enumerate(top.charset[1:], 1)):
        return font
    offset = top.rawDict["charset"]
    old_size = _charset_size(cff, offset, glyphs)
    if glyphs - 2 < 256 and old_size >= 4:  # format 1: one range, CIDs 1..n-1
        new = bytes([1]) + (1).to_bytes(2, "big") + bytes([glyphs - 2])
    elif old_size >= 5:  # format 2: the same range, with a two-byte count
        new = bytes([2]) + (1).to_bytes(2, "big") + (glyphs - 2).to_bytes(2, "big")
    else:
        raise ValueError(f"a charset of {old_size} bytes has no room for an identity charset")
    cff[offset:offset + len(new)] = new
    sfnt = TTFont(sfntVersion=source.sfntVersion, recalcTimestamp=False, recalcBBoxes=False)
    for tag in source.reader.keys():  # every table as it is, but the CFF
        sfnt[tag] = table = DefaultTable(tag)
        table.data = bytes(cff) if tag == "CFF " else source.reader[tag]
    out = io.BytesIO()
    sfnt.save(out, reorderTables=False)
    return out.getvalue()


def _charset_size(cff: bytes, offset: int, glyphs: int) -> int:
    """Bytes taken by the CFF charset at offset, for a font of `glyphs` glyphs (CFF spec 13)."""
    form, position, covered = cff[offset], offset + 1, 1  # .notdef is not listed
    if form == 0:
        return 1 + 2 * (glyphs - 1)
    count_size = 1 if form == 1 else 2
    while covered < glyphs:
        covered += 1 + int.from_bytes(cff[position + 2:position + 2 + count_size], "big")
        position += 2 + count_size
    return position - offset
