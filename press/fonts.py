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
    cache = Cache(cache_dir)
    files, made = {}, False
    for path in font_files(fonts_dir):
        name = f"{path.stem}-{file_digest(path, known=session and session.digests).hex()[:16]}-{key}{path.suffix}.entry"
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

        release_memory(collect=False)  # a collection here walked the check's objects: 0.02 CPU-s
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
    offset moves, and the CFF table's checksum and the font's are made again.

    Read and written as bytes (the OpenType table directory; the CFF header, INDEXes and Top
    DICT of Adobe's Technical Note #5176): fontTools decompiled the CFF and imported a module for
    each table it wrote again, 0.1 CPU-s of a cold build."""
    if font[:4] != b"OTTO":
        return font  # TrueType: glyphs are found by index
    tables = _sfnt_tables(font)
    start, length = tables[b"CFF "]
    cff = font[start:start + length]
    found = _cid_charset(cff)
    if found is None:
        return font  # name-keyed (no CIDs), or its CIDs are its glyph indices already
    offset, glyphs, old_size = found
    if glyphs - 2 < 256 and old_size >= 4:  # format 1: one range, CIDs 1..n-1
        new = bytes([1]) + (1).to_bytes(2, "big") + bytes([glyphs - 2])
    elif old_size >= 5:  # format 2: the same range, with a two-byte count
        new = bytes([2]) + (1).to_bytes(2, "big") + (glyphs - 2).to_bytes(2, "big")
    else:
        raise ValueError(f"a charset of {old_size} bytes has no room for an identity charset")
    out = bytearray(font)
    out[start + offset:start + offset + len(new)] = new
    record = _sfnt_record(font, b"CFF ")
    out[record + 4:record + 8] = _checksum(out[start:start + length]).to_bytes(4, "big")
    head = tables[b"head"][0] + 8  # checkSumAdjustment: the whole font sums to 0xB1B0AFBA
    out[head:head + 4] = bytes(4)
    out[head:head + 4] = ((0xB1B0AFBA - _checksum(out)) & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(out)


def _sfnt_record(font: bytes, tag: bytes) -> int:
    """The offset of a table's record in the table directory (OpenType spec, "Table directory")."""
    for record in range(12, 12 + 16 * int.from_bytes(font[4:6], "big"), 16):
        if font[record:record + 4] == tag:
            return record
    raise ValueError(f"the font has no {tag.decode().strip()!r} table")


def _sfnt_tables(font: bytes) -> dict[bytes, tuple[int, int]]:
    """Each table's offset and length, by its tag."""
    return {font[r:r + 4]: (int.from_bytes(font[r + 8:r + 12], "big"), int.from_bytes(font[r + 12:r + 16], "big"))
            for r in range(12, 12 + 16 * int.from_bytes(font[4:6], "big"), 16)}


def _checksum(data: bytes) -> int:
    """An OpenType checksum: the sum of the big-endian 32-bit words, the last padded with zeros."""
    data = bytes(data) + bytes(-len(data) % 4)
    return sum(int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4)) & 0xFFFFFFFF


def _cid_charset(cff: bytes) -> tuple[int, int, int] | None:
    """Where the charset of a CID-keyed CFF font is (its offset in the table), the font's glyph
    count and the bytes the charset takes; None for a name-keyed font (no ROS in its Top DICT) or
    one whose CIDs are its glyph indices already."""
    top = _index_entry(cff, _index_end(cff, cff[2]), 0)  # after the header (cff[2]: its size), the Name INDEX
    operators = _dict_operators(top)
    if (12, 30) not in operators:  # ROS: CID-keyed
        return None
    offset = operators[(15,)][0]
    glyphs = int.from_bytes(cff[operators[(17,)][0]:][:2], "big")  # the CharStrings INDEX's count
    form, position, cids = cff[offset], offset + 1, []
    if form == 0:
        cids = [int.from_bytes(cff[position + 2 * i:position + 2 * i + 2], "big") for i in range(glyphs - 1)]
        position += 2 * (glyphs - 1)
    else:
        count_size = 1 if form == 1 else 2
        while len(cids) < glyphs - 1:  # ranges of CIDs: the first, and how many follow it
            first = int.from_bytes(cff[position:position + 2], "big")
            cids += range(first, first + int.from_bytes(cff[position + 2:position + 2 + count_size], "big") + 1)
            position += 2 + count_size
    if cids[:glyphs - 1] == list(range(1, glyphs)):
        return None
    return offset, glyphs, position - offset


def _index_end(cff: bytes, start: int) -> int:
    """The offset just past the CFF INDEX at `start`."""
    count = int.from_bytes(cff[start:start + 2], "big")
    if count == 0:
        return start + 2
    size = cff[start + 2]
    last = int.from_bytes(cff[start + 3 + count * size:start + 3 + (count + 1) * size], "big")
    return start + 2 + (count + 1) * size + last


def _index_entry(cff: bytes, start: int, number: int) -> bytes:
    count, size = int.from_bytes(cff[start:start + 2], "big"), cff[start + 2]
    offsets = start + 3
    data = offsets + (count + 1) * size - 1  # offsets count from 1
    begin, end = (int.from_bytes(cff[offsets + i * size:offsets + (i + 1) * size], "big") for i in (number, number + 1))
    return cff[data + begin:data + end]


def _dict_operators(data: bytes) -> dict[tuple[int, ...], list[int]]:
    """A CFF DICT's operators (12 escapes a second byte), each with its operands (a real as 0)."""
    found, operands, i = {}, [], 0
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            key = (12, data[i + 1]) if b0 == 12 else (b0,)
            found[key], operands = operands, []
            i += 2 if b0 == 12 else 1
        elif b0 == 28 or b0 == 29:
            size = 2 if b0 == 28 else 4
            operands.append(int.from_bytes(data[i + 1:i + 1 + size], "big", signed=True))
            i += 1 + size
        elif b0 == 30:  # a real: nibbles up to the byte that holds the end nibble (0xf)
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] >> 4 != 0x0F:
                i += 1
            operands.append(0)
            i += 1
        elif b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif b0 <= 254:
            sign = 1 if b0 <= 250 else -1
            operands.append(sign * ((b0 - (247 if b0 <= 250 else 251)) * 256 + data[i + 1] + 108))
            i += 2
        else:
            raise ValueError(f"byte {b0} in a CFF DICT")
    return found
