"""Make the project's fonts.

The Chinese faces are made on every machine by tools/setup.sh, from Debian's
fonts-noto-cjk as installed (nothing is fetched, nothing committed is
rewritten):

    python fonts/make_fonts.py            # fonts/cjk/*.otf, when missing or out of date

It takes the Simplified Chinese face of each collection whole (every
glyph, so each glyph's CID stays equal to its glyph index, as in Noto's
own face) and adds the OpenType 'chws' feature; the tables are copied as
they are, so this takes about a second a face.

The Latin faces are committed; a maintainer remakes them with

    python fonts/make_fonts.py --latin        # downloads fonts-noto-core with apt-get
    python fonts/make_fonts.py --latin --debs DIR

fonts/README.md says why and how.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
CJK_DIR = HERE / "cjk"
# Where Debian's fonts-noto-cjk puts its collections.
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
# Names how make_cjk cuts a face; change it when that changes, so every machine remakes its faces.
CJK_RECIPE = "whole SC face, chws added, tables copied"

CJK = {
    # output file in fonts/cjk/: (file in fonts-noto-cjk, face name in the collection)
    "NotoSerifSC-Regular.otf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "NotoSerifSC-Bold.otf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "NotoSansSC-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "NotoSansSC-Bold.otf": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
}
LATIN = ["NotoSerif-Regular.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Bold.ttf", "NotoSerif-BoldItalic.ttf"]

RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (names in English text)
    (0x2000, 0x206F),  # General Punctuation
    (0x2100, 0x214F),  # Letterlike Symbols (℃, №)
    (0x2150, 0x218F),  # Number Forms (Ⅰ–Ⅻ)
    (0x2190, 0x21FF),  # Arrows
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (①)
    (0x25A0, 0x25FF),  # Geometric Shapes (■ ○)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]


def charset() -> set[int]:
    """The Latin faces' characters: the blocks above and whatever extra-chars.txt lists."""
    chars = set()
    for lo, hi in RANGES:
        chars.update(range(lo, hi + 1))
    extra = HERE / "extra-chars.txt"
    if extra.exists():
        for line in extra.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                chars.update(ord(c) for c in line if not c.isspace())
    return chars


def _cut(font: TTFont, chars: set[int], out: Path) -> None:
    options = subset.Options()
    options.layout_features = ["*"]  # keep vert, halt, palt, kern: clreq work needs them
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=chars)
    sub.subset(font)
    font.save(out)
    print(f"{out.name}: {out.stat().st_size / 1e6:.1f} MB", flush=True)


CLOSING = "，。、；：？！）」』》〉】〕”’"
OPENING = "（「『《〈【〔“‘"


def add_chws(font: TTFont) -> None:
    """Give a CJK face the OpenType 'chws' feature (contextual half-width spacing), as newer
    Noto CJK releases have: where two full-width marks meet, the blank half of one goes
    (clreq 3.1.6). A closing mark before another mark loses its right half; an opening mark
    after another opening mark loses its left half. Both reuse the face's own 'halt' values,
    so nothing changes for a mark that stands alone, and the text itself is never touched."""
    from fontTools.ttLib.tables import otTables as ot

    gpos = font["GPOS"].table
    features = gpos.FeatureList.FeatureRecord
    if any(record.FeatureTag == "chws" for record in features):
        return
    halt = next(r.Feature.LookupListIndex[0] for r in features if r.FeatureTag == "halt")
    values = {}
    for sub in gpos.LookupList.Lookup[halt].SubTable:
        glyphs = sub.Coverage.glyphs
        records = [sub.Value] * len(glyphs) if sub.Format == 1 else sub.Value
        values.update(zip(glyphs, records))
    cmap = font.getBestCmap()

    def marks(chars: str, opening: bool) -> list[str]:
        found = [cmap[ord(c)] for c in chars if ord(c) in cmap and cmap[ord(c)] in values]
        return [g for g in found if bool(getattr(values[g], "XPlacement", 0)) == opening]

    def coverage(glyphs: list[str]) -> ot.Coverage:
        cov = ot.Coverage()
        cov.glyphs = sorted(set(glyphs), key=font.getGlyphID)
        return cov

    def rule(backtrack: list[list[str]], input_: list[str], lookahead: list[list[str]]) -> ot.ChainContextPos:
        sub = ot.ChainContextPos()
        sub.Format = 3
        sub.BacktrackGlyphCount, sub.BacktrackCoverage = len(backtrack), [coverage(g) for g in backtrack]
        sub.InputGlyphCount, sub.InputCoverage = 1, [coverage(input_)]
        sub.LookAheadGlyphCount, sub.LookAheadCoverage = len(lookahead), [coverage(g) for g in lookahead]
        record = ot.PosLookupRecord()
        record.SequenceIndex, record.LookupListIndex = 0, halt
        sub.PosCount, sub.PosLookupRecord = 1, [record]
        return sub

    closing, opening = marks(CLOSING, False), marks(OPENING, True)
    lookup = ot.Lookup()
    lookup.LookupType, lookup.LookupFlag = 8, 0
    lookup.SubTable = [rule([], closing, [closing + opening]), rule([opening], opening, [])]
    lookup.SubTableCount = 2
    gpos.LookupList.Lookup.append(lookup)
    gpos.LookupList.LookupCount = len(gpos.LookupList.Lookup)

    record = ot.FeatureRecord()
    record.FeatureTag = "chws"
    record.Feature = ot.Feature()
    record.Feature.LookupListIndex, record.Feature.LookupCount = [len(gpos.LookupList.Lookup) - 1], 1
    # Feature records are sorted by tag; language systems refer to them by index.
    order = sorted(range(len(features) + 1), key=lambda i: (features + [record])[i].FeatureTag)
    new_index = {old: new for new, old in enumerate(order)}
    gpos.FeatureList.FeatureRecord = [(features + [record])[i] for i in order]
    gpos.FeatureList.FeatureCount = len(order)
    for script in gpos.ScriptList.ScriptRecord:
        systems = [script.Script.DefaultLangSys] + [r.LangSys for r in script.Script.LangSysRecord]
        for system in filter(None, systems):
            system.FeatureIndex = sorted([new_index[i] for i in system.FeatureIndex] + [new_index[len(features)]])
            system.FeatureCount = len(system.FeatureIndex)


def make_cjk(ttc: Path, face: str, out: Path) -> None:
    """One face of a collection as a font of its own, with 'chws'. Only GPOS is rebuilt: every
    other table, the 20 MB CFF among them, is copied byte for byte, so each glyph keeps its
    index and its CID, and the two stay equal (ISO 32000-1 9.7.4.2: a reader finds a
    CIDFontType0 glyph by CID through the CFF charset, while WeasyPrint writes glyph indices)."""
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    for font in TTCollection(ttc, lazy=True, recalcTimestamp=False).fonts:
        if font["name"].getDebugName(1) != face:
            continue
        add_chws(font)
        whole = TTFont(sfntVersion=font.sfntVersion, recalcTimestamp=False, recalcBBoxes=False)
        for tag in sorted(font.reader.keys()):
            table = DefaultTable(tag)
            table.data = font["GPOS"].compile(font) if tag == "GPOS" else font.reader[tag]
            whole[tag] = table
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        whole.save(tmp)
        os.replace(tmp, out)
        return
    raise SystemExit(f"{ttc}: no face named {face!r}")


def _source_stamp() -> dict:
    """What the Chinese faces are made from: this recipe and Debian's collections, by content."""
    stamp = {"recipe": CJK_RECIPE, "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}
    for ttc, _ in sorted(set(CJK.values())):
        path = NOTO_CJK / ttc
        if not path.is_file():
            raise SystemExit(f"{path}: not found: install Debian's fonts-noto-cjk (tools/setup.sh does)")
        stamp[ttc] = hashlib.sha256(path.read_bytes()).hexdigest()
    return stamp


def make_all_cjk() -> None:
    """fonts/cjk/, unless it is already made from these collections by this recipe."""
    record = CJK_DIR / "SOURCE.json"
    stamp = _source_stamp()
    try:
        done = json.loads(record.read_text()) == stamp and all((CJK_DIR / out).is_file() for out in CJK)
    except (OSError, ValueError):
        done = False
    if done:
        return
    CJK_DIR.mkdir(exist_ok=True)
    record.unlink(missing_ok=True)
    for out, (ttc, face) in CJK.items():
        make_cjk(NOTO_CJK / ttc, face, CJK_DIR / out)
        print(f"fonts/cjk/{out}: {(CJK_DIR / out).stat().st_size / 1e6:.1f} MB", file=sys.stderr, flush=True)
    record.write_text(json.dumps(stamp, indent=1) + "\n")


def _make_latin(job: tuple[Path, Path, set[int]]) -> None:
    src, out, chars = job
    _cut(TTFont(src, recalcTimestamp=False), chars, out)


def _debs(folder: Path | None) -> Path:
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="noto-"))
        subprocess.run(["apt-get", "download", "fonts-noto-core"], cwd=folder, check=True)
    root = folder / "x"
    for deb in folder.glob("*.deb"):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root / "usr/share/fonts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latin", action="store_true", help="remake the committed Latin faces (maintainers)")
    parser.add_argument("--debs", type=Path, help="with --latin: folder holding the fonts-noto-core .deb")
    args = parser.parse_args()
    if not args.latin:
        return make_all_cjk()
    fonts = _debs(args.debs)
    chars = charset()
    for name in LATIN:
        _make_latin((fonts / "truetype/noto" / name, HERE / name, chars))


if __name__ == "__main__":
    sys.exit(main())
