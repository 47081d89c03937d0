"""Every reader sees the same pages: the PDFs read as MuPDF, Ghostscript and Poppler read them.

PDFium, which every other test reads with, forgives fonts that the standard does not
allow: it once drew Chinese from glyph indices where ISO 32000 has a reader look CIDs up
in the font, and MuPDF drew nothing and Ghostscript empty boxes. So each page is drawn by
all four, and the ink of each is compared with PDFium's; and the fonts themselves are
checked for what a conforming reader needs of them.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageFilter

from conftest import ISSUES

DPI = 150
INK = 200  # grey level below which a pixel counts as ink: pale grey text counts too
SLACK = 5  # px: ink that another reader puts within 2 px (0.34 mm) of it agrees
# Share of a page's pixels inked by one reader and not (within the slack) by PDFium, or the
# other way round. Anti-aliasing and rounding stay well below it; one line of missing
# Chinese, or empty boxes for glyphs, is above it.
MOST_DISAGREEMENT = 0.001


def _both(*suffixes: str) -> list[str]:
    return [f"{issue_id}{suffix}" for issue_id in ISSUES for suffix in suffixes]


def _ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) < INK


def _near(ink: np.ndarray) -> np.ndarray:
    """Every pixel within the slack of ink (the SLACK × SLACK square around it holds ink): what PIL's
    MaxFilter(SLACK) gives on the ink image (test_the_slack_is_pils_max_filter), in a hundred and
    fiftieth of its time, which was most of this file's."""
    return _spread(_spread(np.pad(ink, SLACK // 2), 1), 0)


def _spread(ink: np.ndarray, axis: int) -> np.ndarray:
    """Each pixel ORed with the SLACK - 1 after it along the axis (the result SLACK - 1 shorter
    there), by doubling: runs of 1, 2, 4 pixels, then two runs of 4 that overlap to cover 5."""
    run, reach = np.moveaxis(ink, axis, 0), 1
    length = run.shape[0] - SLACK + 1
    while 2 * reach <= SLACK:
        run = run[:-reach] | run[reach:]  # run[i]: pixels i to i + 2 reach - 1
        reach *= 2
    return np.moveaxis(run[:length] | run[SLACK - reach:SLACK - reach + length], 0, axis)


def _disagreement(ours: Image.Image, theirs: Image.Image) -> float:
    return _apart(_inked(ours), theirs)


def _inked(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """A page's ink and what lies within the slack of it: PDFium's, made once for the three readers."""
    ink = _ink(image)
    return ink, _near(ink)


def _apart(ours: tuple[np.ndarray, np.ndarray], theirs: Image.Image) -> float:
    """The share of the page inked by one and not, within the slack, by the other."""
    ink_a, near_a = ours
    ink_b = _ink(theirs)
    height, width = min(ink_a.shape[0], ink_b.shape[0]), min(ink_a.shape[1], ink_b.shape[1])  # a reader may round a pixel off
    if ink_a.shape != (height, width):
        ink_a = ink_a[:height, :width]
        near_a = _near(ink_a)  # the slack as on the cropped page, ink beyond its edge not counted
    ink_b = ink_b[:height, :width]
    near_b = _near(ink_b)
    return (np.count_nonzero(ink_a & ~near_b) + np.count_nonzero(ink_b & ~near_a)) / ink_a.size


# How each reader draws every page of a PDF into a folder: as uncompressed PPM, the very pixels of
# its PNG output (compared page by page when this was changed) without PNG's compression, which
# took four fifths of the readers' time: 6.9 CPU-s for the 14 pages of 2020-02.pdf, 1.5 as PPM
# (Poppler's pdftoppm alone 4.4, 0.4). In grey (PGM), a third of the bytes to write, read and
# convert: the greatest disagreement of each reader with PDFium, on each of the four PDFs, was
# the same as from its colour pages to within 0.00001 of the page (2.8 CPU-s for 2020-02.pdf, 2.1).
READERS = {
    "mupdf": lambda pdf, folder: ["mutool", "draw", "-q", "-r", str(DPI), "-c", "gray", "-o",
                                  str(folder / "%03d.pgm"), str(pdf)],
    "ghostscript": lambda pdf, folder: [
        "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pgmraw", f"-r{DPI}", "-dTextAlphaBits=4",
        "-dGraphicsAlphaBits=4", "-dUseCropBox", f"-sOutputFile={folder / '%03d.pgm'}", str(pdf)],
    "poppler": lambda pdf, folder: ["pdftoppm", "-r", str(DPI), "-gray", "-cropbox", str(pdf), str(folder / "page")],
}


def _render(reader: str, pdf: Path, folder: Path) -> list[Path]:
    """Every page of the PDF, drawn by one reader, in page order; MuPDF and Ghostscript with no
    warning (test_mupdf_and_ghostscript_read_without_a_warning, on the PDFs drawn here)."""
    folder.mkdir(parents=True)
    run = subprocess.run(READERS[reader](pdf, folder), capture_output=True, text=True)
    assert run.returncode == 0, f"{reader}: {run.stderr[-2000:]}"
    warnings = _warnings(reader, run)
    assert not warnings, f"{reader}: " + "\n".join(warnings[:20])
    return sorted(folder.glob("*.pgm"))


def _pdfium_pages(pdf: Path) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    return [page.render(scale=DPI / 72, crop=_crop(page)).to_pil() for page in doc]


def _crop(page) -> tuple[float, float, float, float]:
    """What PDFium draws beyond the crop box (the other readers draw the crop box)."""
    media, crop = page.get_mediabox(), page.get_cropbox()
    return (crop[0] - media[0], crop[1] - media[1], media[2] - crop[2], media[3] - crop[3])


@pytest.mark.parametrize("name", _both(".pdf", ".press.pdf"))
def test_every_reader_draws_every_page_as_pdfium_does(build_of, tmp_path, name):
    pdf = build_of(name[:7]) / name
    ours = [_inked(page) for page in _pdfium_pages(pdf)]
    worst = []
    for reader in READERS:
        drawn = _render(reader, pdf, tmp_path / reader)
        assert len(drawn) == len(ours), f"{reader} drew {len(drawn)} of {len(ours)} pages"
        for number, (mine, path) in enumerate(zip(ours, drawn), 1):
            share = _apart(mine, Image.open(path))
            worst.append((share, reader, number))
        shutil.rmtree(tmp_path / reader)  # 6 MB a page: one reader's pages on disk at a time
    bad = [f"{reader} page {number}: {share:.3%} of the page inked differently" for share, reader, number in worst
           if share > MOST_DISAGREEMENT]
    assert not bad, "\n".join(bad)


def test_the_slack_is_pils_max_filter(build_of):
    """_near, as PIL's MaxFilter(SLACK) on the ink image: on scattered ink that touches every edge
    and corner, and on the first pages of the issue (the cover's bands run off the page)."""
    scattered = np.random.default_rng(7).random((301, 203)) < 0.02
    scattered[0, 0] = scattered[-1, -1] = scattered[0, -1] = scattered[-1, 0] = True
    doc = pdfium.PdfDocument(build_of("2020-02") / "2020-02.pdf")
    pages = [_ink(doc[number].render(scale=DPI / 72).to_pil()) for number in range(3)]
    for ink in (scattered, *pages):
        pil = np.asarray(Image.fromarray(ink.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(SLACK))) > 0
        assert ink.any() and not pil.all()
        assert np.array_equal(_near(ink), pil)


# Debian's MuPDF is built without its colour management; it says so once for any PDF with
# an ICC profile (every PDF with a photo has one), which says nothing of the file.
MUPDF_BUILD_NOTICE = "warning: ICC support is not available"


def _warnings(reader: str, run: subprocess.CompletedProcess) -> list[str]:
    """What MuPDF or Ghostscript said as it read a PDF (asked to be quiet): a warning, each line."""
    if reader == "mupdf":
        return [line for line in run.stderr.splitlines() if line.strip() and line.strip() != MUPDF_BUILD_NOTICE]
    if reader == "ghostscript":
        return [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    return []


# The bilingual and press PDFs are read by both, without a warning, as they draw their pages for
# test_every_reader_draws_every_page_as_pdfium_does (_render): a run of each (0.5 CPU-s) less here.
@pytest.mark.parametrize("name", _both(".zh.pdf", ".en.pdf"))
def test_mupdf_and_ghostscript_read_without_a_warning(build_of, name):
    pdf = build_of(name[:7]) / name
    mupdf = subprocess.run(["mutool", "draw", "-q", "-r", "36", "-o", "/dev/null", "-F", "pgm", str(pdf)],
                           capture_output=True, text=True)
    warnings = _warnings("mupdf", mupdf)
    assert mupdf.returncode == 0 and not warnings, "\n".join(warnings[:20])
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", str(pdf)],
                        capture_output=True, text=True)
    warnings = _warnings("ghostscript", gs)
    assert gs.returncode == 0 and not warnings, "\n".join(warnings[:20])


def _embedded_fonts(pdf: Path):
    """(font dictionary, font program bytes) for every font that any page or form draws with."""
    seen = set()
    for page in pypdf.PdfReader(pdf).pages:
        pending = [page.get("/Resources")]
        while pending:
            resources = pending.pop()
            resources = resources.get_object() if resources is not None else {}
            for font in (resources.get("/Font") or {}).values():
                if font.idnum in seen:
                    continue
                seen.add(font.idnum)
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                program = next(descriptor[key].get_object() for key in ("/FontFile3", "/FontFile2") if key in descriptor)
                yield font, descendant, program.get_data()
            for xobject in (resources.get("/XObject") or {}).values():
                if "/Resources" in xobject.get_object():
                    pending.append(xobject.get_object()["/Resources"])


@pytest.mark.parametrize("name", _both(".pdf", ".zh.pdf", ".en.pdf", ".press.pdf"))
def test_cff_fonts_find_each_glyph_by_cid(build_of, name):
    """ISO 32000-1 9.7.4.2: a CIDFontType0 glyph is found by CID through the CFF charset,
    and the codes written are glyph indices (Identity-H): the two must be the same."""
    checked = 0
    for font, descendant, program in _embedded_fonts(build_of(name[:7]) / name):
        if descendant["/Subtype"] != "/CIDFontType0":
            continue
        assert font["/Encoding"] == "/Identity-H"
        cff = TTFont(io.BytesIO(program))
        order = cff.getGlyphOrder()
        if hasattr(cff["CFF "].cff.topDictIndex[0], "ROS"):
            wrong = [(gid, cid) for gid, cid in enumerate(order[1:], 1) if cid != f"cid{gid:05d}"]
            assert not wrong, f"{font['/BaseFont']}: glyph index and CID differ for {len(wrong)} glyphs, e.g. {wrong[:3]}"
        checked += 1
    assert checked, "no CFF font to check: the Chinese faces are CFF"


@pytest.mark.parametrize("name", _both(".pdf", ".zh.pdf", ".en.pdf", ".press.pdf"))
def test_a_font_name_stands_for_one_program(build_of, name):
    """ISO 32000-1 9.6.4: a subset's tag names that subset; equal names, equal programs."""
    programs = defaultdict(set)
    for font, _, program in _embedded_fonts(build_of(name[:7]) / name):
        programs[str(font["/BaseFont"])].add(hashlib.sha256(program).hexdigest())
    assert programs
    shared = {font: len(found) for font, found in programs.items() if len(found) > 1}
    assert not shared, f"names that stand for several programs: {shared}"
