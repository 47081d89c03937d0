"""`build.py pdf --press`: the press PDF, read back with pypdf and pdfium."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from conftest import ISSUE, run_build

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("press")
    result = run_build("pdf", str(ISSUE), "-o", str(out), "--press")
    assert result.returncode == 0, result.stderr
    assert "ppi as placed" not in result.stderr  # the placeholders are 300 ppi as placed
    return out / "2020-02.press.pdf"


def boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page[f"/{name}"]] for name in ("MediaBox", "TrimBox", "BleedBox")}


def test_every_page_has_trim_bleed_and_room_for_marks(press, built):
    reader = pypdf.PdfReader(press)
    assert len(reader.pages) == len(pypdf.PdfReader(built / "2020-02.pdf").pages)
    for page in reader.pages:
        b = boxes(page)
        x0, y0, x1, y1 = b["TrimBox"]
        assert x1 - x0 == pytest.approx(A4[0], abs=0.01) and y1 - y0 == pytest.approx(A4[1], abs=0.01)
        assert b["BleedBox"] == pytest.approx([x0 - 3 * MM, y0 - 3 * MM, x1 + 3 * MM, y1 + 3 * MM], abs=0.01)
        m = b["MediaBox"]
        assert m[0] < x0 - 3 * MM and m[1] < y0 - 3 * MM and m[2] > x1 + 3 * MM and m[3] > y1 + 3 * MM


def _outside(bounds, box) -> bool:
    left, bottom, right, top = bounds
    return right <= box[0] or left >= box[2] or top <= box[1] or bottom >= box[3]


def test_crop_marks_lie_outside_the_bleed(press):
    reader = pypdf.PdfReader(press)
    document = pdfium.PdfDocument(press)
    for index, page in enumerate(reader.pages):
        b = boxes(page)
        paths = [obj.get_bounds() for obj in document[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1)]
        marks = [p for p in paths if _outside(p, b["TrimBox"])]
        assert len(marks) >= 8, f"page {index + 1}: {len(marks)} crop marks"
        assert all(_outside(p, b["BleedBox"]) for p in marks), f"page {index + 1}: a mark inside the bleed"


def test_cover_artwork_runs_into_the_bleed_and_text_stays_inside(press):
    reader = pypdf.PdfReader(press)
    document = pdfium.PdfDocument(press)
    cover = boxes(reader.pages[0])
    trim, bleed = cover["TrimBox"], cover["BleedBox"]
    fills = [obj.get_bounds() for obj in document[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4)]
    assert any(f[0] <= bleed[0] + 0.5 and f[3] >= bleed[3] - 0.5 for f in fills), "the top band reaches the bleed"
    assert any(f[2] >= bleed[2] - 0.5 and f[1] <= bleed[1] + 0.5 for f in fills), "the bottom band reaches the bleed"
    for index, page in enumerate(reader.pages):
        x0, y0, x1, y1 = boxes(page)["TrimBox"]
        textpage = document[index].get_textpage()
        for i in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(i)
            if right > left:
                assert x0 + 5 * MM <= left and right <= x1 - 5 * MM and y0 + 5 * MM <= bottom and top <= y1 - 5 * MM, \
                    f"page {index + 1}: {textpage.get_text_range(i, 1)!r} within 5 mm of the trim"


def test_pdfx_output_intent(press):
    reader = pypdf.PdfReader(press)
    catalog = reader.trailer["/Root"]
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert reader.metadata["/Trapped"] == "/False"
    assert reader.pdf_header >= "%PDF-1.6"
    result = subprocess.run(["qpdf", "--check", str(press)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-500:]


def test_press_preflight_names_a_low_resolution_image_and_its_page(issue_copy, tmp_path):
    photo = issue_copy / "images" / "who-briefing.jpg"
    with Image.open(photo) as img:
        img.resize((600, 392)).save(photo, quality=90)
    reading = run_build("pdf", str(issue_copy), "-o", str(tmp_path / "reading"))
    assert reading.returncode == 0 and "as placed" not in reading.stderr
    result = run_build("pdf", str(issue_copy), "-o", str(tmp_path / "press"), "--press")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "who-briefing.jpg" in line and "as placed" in line]
    # The zh article (page 3) and its English version (page 12) both place it.
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"{issue_copy.name}/working-together.zh.md:") or "working-together.zh.md:" in lines[0]
    assert ": warning: " in lines[0] and "on page 3 of 2020-02.press.pdf" in lines[0]
    assert "on page 12 of 2020-02.press.pdf" in lines[1]
