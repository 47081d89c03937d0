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
import struct
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

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
    offset moves; the table's checksums are made again on saving.

    Read and written here, as far as needed, and as fontTools wrote it (the same bytes): its reader
    and writer loaded 40 of its modules into the main process (cffLib, and the tables' modules for
    their dependencies), 0.05 CPU-s of a cold build, and summed the checksums in Python."""
    if font[:4] != b"OTTO":
        return font  # TrueType: glyphs are found by index
    tables = _tables(font)
    cff = bytearray(tables["CFF "])
    top = _top_dict(cff)
    if _ROS not in top:
        return font  # name-keyed: no CIDs
    glyphs = _index_count(cff, top[_CHARSTRINGS])
    offset = top[_CHARSET]
    if _charset_is_identity(cff, offset, glyphs):
        return font
    old_size = _charset_size(cff, offset, glyphs)
    if glyphs - 2 < 256 and old_size >= 4:  # format 1: one range, CIDs 1..n-1
        new = bytes([1]) + (1).to_bytes(2, "big") + bytes([glyphs - 2])
    elif old_size >= 5:  # format 2: the same range, with a two-byte count
        new = bytes([2]) + (1).to_bytes(2, "big") + (glyphs - 2).to_bytes(2, "big")
    else:
        raise ValueError(f"a charset of {old_size} bytes has no room for an identity charset")
    cff[offset:offset + len(new)] = new
    return _sfnt(font[:4], tables | {"CFF ": bytes(cff)})  # every table as it is, but the CFF


def _tables(font: bytes) -> dict[str, bytes]:
    """The tables of an sfnt (OpenType) font by tag, from its table directory."""
    tables = {}
    for entry in range(12, 12 + 16 * int.from_bytes(font[4:6], "big"), 16):
        tag, _, offset, length = struct.unpack(">4sLLL", font[entry:entry + 16])
        tables[tag.decode("latin-1")] = font[offset:offset + length]
    return tables


# What fontTools writes a table after (its tables' `dependencies`): TTFont.save writes each table
# after those it depends on, and so does _sfnt.
_DEPENDENCIES = MappingProxyType({
    "CBLC": ("CBDT",), "EBLC": ("EBDT",), "EBSC": ("EBDT", "EBLC"), "GVAR": ("fvar", "GLYF"), "Gloc": ("Glat",),
    "HHEA": ("HMTX", "GLYF", "CFF ", "CFF2"), "LOCA": ("GLYF",), "MAXP": ("GLYF",), "OS/2": ("head", "bhed"),
    "TSI0": ("TSI1",), "TSI2": ("TSI3",), "VHEA": ("VMTX", "GLYF", "CFF ", "CFF2"), "avar": ("fvar",), "bloc": ("bdat",),
    "cvar": ("cvt ", "fvar"), "gvar": ("fvar", "glyf"), "head": ("maxp", "MAXP", "loca", "LOCA", "CFF ", "CFF2"),
    "hhea": ("hmtx", "glyf", "CFF ", "CFF2"), "loca": ("glyf",), "maxp": ("glyf",), "vhea": ("vmtx", "glyf", "CFF ", "CFF2"),
})


# The tables of a CFF font that fontTools writes first, in this order (its OTFTableOrder, after the
# OpenType specification's recommendation), the others after them in tag order.
_CFF_ORDER = ("head", "hhea", "maxp", "OS/2", "name", "DMAP", "cmap", "post", "CFF ")


def _sfnt(version: bytes, tables: dict[str, bytes]) -> bytes:
    """A CFF-flavoured sfnt font of these tables, byte for byte as fontTools' TTFont.save(
    reorderTables=False) writes it: the table directory in tag order, the tables in fontTools' order,
    each padded to four bytes, their checksums, and head.checkSumAdjustment (OpenType, "Calculating
    checksums")."""
    order: list[str] = []

    def write_after_dependencies(tag: str) -> None:
        if tag in order:
            return
        for dependency in _DEPENDENCIES.get(tag, ()):
            if dependency in tables:
                write_after_dependencies(dependency)
        order.append(tag)

    tags = sorted(tables)
    if "DSIG" in tags:  # last, as fontTools puts it
        tags.remove("DSIG")
        tags.append("DSIG")
    for tag in [tag for tag in _CFF_ORDER if tag in tables] + [tag for tag in tags if tag not in _CFF_ORDER]:
        write_after_dependencies(tag)
    count = len(tables)
    exponent = count.bit_length() - 1
    header = version + struct.pack(">HHHH", count, 16 << exponent, exponent, max(0, 16 * count - (16 << exponent)))
    body, entries, offset = [], {}, 12 + 16 * count
    for tag in order:
        data = tables[tag]
        summed = data[:8] + bytes(4) + data[12:] if tag == "head" else data
        entries[tag] = struct.pack(">4sLLL", tag.encode("latin-1"), _checksum(summed), offset, len(data))
        body.append(data + bytes(-len(data) % 4))
        offset += len(body[-1])
    directory = header + b"".join(entries[tag] for tag in sorted(entries))
    font = bytearray(directory + b"".join(body))
    if "head" in tables:
        total = sum(struct.unpack(">L", entry[4:8])[0] for entry in entries.values()) + _checksum(directory)
        at = struct.unpack(">L", entries["head"][8:12])[0] + 8
        font[at:at + 4] = struct.pack(">L", (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    """The sum of a table's big-endian 32-bit words, zero-padded, modulo 2**32."""
    data = data + bytes(-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}L", data)) & 0xFFFFFFFF


# Top DICT operators (CFF spec, Table 9): ROS (12 30), charset (15), CharStrings (17).
_ROS, _CHARSET, _CHARSTRINGS = 1230, 15, 17


def _index_count(cff: bytes, offset: int) -> int:
    return int.from_bytes(cff[offset:offset + 2], "big")


def _top_dict(cff: bytes) -> dict[int, int]:
    """The Top DICT's operators, each with its last operand (CFF spec 4-9): after the header, the
    Name INDEX, then the Top DICT INDEX, whose first entry is the font's Top DICT."""
    position = cff[2]  # hdrSize
    position = _index_end(cff, position)  # past the Name INDEX
    count, off_size = _index_count(cff, position), cff[position + 2]
    offsets = position + 3
    data = offsets + (count + 1) * off_size - 1  # offsets count from the byte before the data
    start = data + int.from_bytes(cff[offsets:offsets + off_size], "big")
    end = data + int.from_bytes(cff[offsets + off_size:offsets + 2 * off_size], "big")
    found, operands, i = {}, [], start
    while i < end:
        b0 = cff[i]
        if b0 <= 21:  # an operator
            if b0 == 12:
                b0, i = 1200 + cff[i + 1], i + 1
            found[b0] = operands[-1] if operands else None
            operands, i = [], i + 1
        elif b0 == 28:
            operands.append(int.from_bytes(cff[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            operands.append(int.from_bytes(cff[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:  # a real: nibbles up to 0xf (only its place matters here)
            i += 1
            while cff[i] & 0x0F != 0x0F and cff[i] >> 4 != 0x0F:
                i += 1
            operands.append(0)
            i += 1
        elif b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif b0 <= 250:
            operands.append((b0 - 247) * 256 + cff[i + 1] + 108)
            i += 2
        elif b0 <= 254:
            operands.append(-(b0 - 251) * 256 - cff[i + 1] - 108)
            i += 2
        else:
            raise ValueError(f"a Top DICT byte {b0} that CFF does not define")
    return found


def _index_end(cff: bytes, offset: int) -> int:
    count = _index_count(cff, offset)
    if count == 0:
        return offset + 2
    off_size = cff[offset + 2]
    last = offset + 3 + count * off_size
    return offset + 3 + (count + 1) * off_size - 1 + int.from_bytes(cff[last:last + off_size], "big")


def _charset_is_identity(cff: bytes, offset: int, glyphs: int) -> bool:
    """Whether the charset at `offset` gives every glyph its own index as CID (CFF spec 13)."""
    form, position, gid = cff[offset], offset + 1, 1  # .notdef is not listed
    if form == 0:
        return all(int.from_bytes(cff[position + 2 * i:position + 2 * i + 2], "big") == i + 1
                   for i in range(glyphs - 1))
    count_size = 1 if form == 1 else 2
    while gid < glyphs:
        first = int.from_bytes(cff[position:position + 2], "big")
        left = int.from_bytes(cff[position + 2:position + 2 + count_size], "big")
        if first != gid:
            return False
        gid += 1 + left
        position += 2 + count_size
    return True


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
