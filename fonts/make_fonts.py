"""Make the committed fonts in fonts/ from Debian's Noto packages.

Run once by a maintainer, not at build time: cutting a CJK collection down
takes tens of seconds per face.

    python fonts/make_fonts.py            # downloads the .debs with apt-get
    python fonts/make_fonts.py --debs DIR # or takes them from DIR

Debian's .ttc collections put the Japanese face first; we take the
Simplified Chinese face by name so shared characters get mainland glyph
forms. The character set is documented in fonts/README.md; add characters
by listing them in fonts/extra-chars.txt and running this again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent

CJK = {
    # output file: (file in fonts-noto-cjk, face name in the collection)
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


def gb2312() -> set[int]:
    """Every character of GB 2312, read from Python's own codec table."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def charset() -> set[int]:
    chars = gb2312()
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


def _make_cjk(job: tuple[Path, str, Path, set[int]]) -> None:
    ttc, face, out, chars = job
    for font in TTCollection(ttc, recalcTimestamp=False).fonts:
        if font["name"].getDebugName(1) == face:
            add_chws(font)
            return _cut(font, chars, out)
    raise SystemExit(f"{ttc}: no face named {face!r}")


def _make_latin(job: tuple[Path, Path, set[int]]) -> None:
    src, out, chars = job
    _cut(TTFont(src, recalcTimestamp=False), chars, out)


def _debs(folder: Path | None) -> Path:
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="noto-"))
        subprocess.run(["apt-get", "download", "fonts-noto-cjk", "fonts-noto-core"], cwd=folder, check=True)
    root = folder / "x"
    for deb in folder.glob("*.deb"):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root / "usr/share/fonts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debs", type=Path, help="folder holding fonts-noto-cjk and fonts-noto-core .debs")
    parser.add_argument("--chws-only", action="store_true", help="only add 'chws' to the CJK faces already here")
    args = parser.parse_args()
    if args.chws_only:
        for out in CJK:
            font = TTFont(HERE / out, recalcTimestamp=False)
            add_chws(font)
            font.save(HERE / out)
        return
    fonts = _debs(args.debs)
    chars = charset()
    print(f"character set: {len(chars)} code points", flush=True)
    jobs = [(fonts / "opentype/noto" / ttc, face, HERE / out, chars) for out, (ttc, face) in CJK.items()]
    latin = [(fonts / "truetype/noto" / name, HERE / name, chars) for name in LATIN]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_make_cjk, jobs))
        list(pool.map(_make_latin, latin))


if __name__ == "__main__":
    sys.exit(main())
