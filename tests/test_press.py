"""`build.py pdf --press`: the press PDF, read back with pypdf and pdfium, and its plates
as Ghostscript separates them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageCms
from pypdf.generic import ContentStream

from conftest import ISSUE, ROOT, build_here
from issue_source import IMAGE, read_issue
from pdftext import pages_with

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)


@pytest.fixture(scope="module")
def press(built, build_log) -> Path:
    """The press PDF of 2020-02, from the session's build of the issue (made with --press)."""
    assert "ppi as placed" not in build_log("2020-02")  # the placeholders are 300 ppi as placed
    return built / "2020-02.press.pdf"


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
    bleed = cover["BleedBox"]
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


FOGRA39 = ROOT / "profiles" / "FOGRA39L_coated.icc"
INK_LIMIT = 330  # per cent: FOGRA39's total area coverage


def test_pdfx_output_intent_is_fogra39_and_the_identification_agrees(press):
    reader = pypdf.PdfReader(press)
    catalog = reader.trailer["/Root"]
    intents = catalog["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert intent["/RegistryName"] == "http://www.color.org"
    assert "FOGRA39" in intent["/Info"]
    profile = intent["/DestOutputProfile"].get_object()
    data = profile.get_data()
    # A printer profile (class prtr) for CMYK: the printing condition, not a display.
    assert data[36:40] == b"acsp" and data[12:16] == b"prtr" and data[16:20] == b"CMYK" and profile["/N"] == 4
    assert data == FOGRA39.read_bytes()
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>", xmp)
    info = reader.metadata
    assert info["/GTS_PDFXVersion"] == "PDF/X-4"
    assert info["/Trapped"] == "/False" and "<pdf:Trapped>False</pdf:Trapped>" in xmp
    assert f">{info['/Title'].replace('&', '&amp;')}</rdf:li>" in xmp and f">{info['/Producer']}</pdf:Producer>" in xmp
    assert reader.pdf_header >= "%PDF-1.6"
    result = subprocess.run(["qpdf", "--check", str(press)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-500:]


def test_no_annotation_over_the_printed_area(press, built):
    """PDF/X: nothing but printer's marks and trap networks inside the BleedBox; the reading
    PDF's links (the contents page) are left out, and out of the structure tree too."""
    assert any("/Annots" in page for page in pypdf.PdfReader(built / "2020-02.pdf").pages)
    reader = pypdf.PdfReader(press)
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            rect = [float(v) for v in annot["/Rect"]]
            assert annot["/Subtype"] in ("/PrinterMark", "/TrapNet") or _outside(rect, boxes(page)["BleedBox"]), \
                f"page {index + 1}: a {annot['/Subtype']} annotation over the printed area"
    pending = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while pending:
        element = pending.pop().get_object()
        if isinstance(element, pypdf.generic.DictionaryObject):
            assert element.get("/Type") != "/OBJR", "the structure tree refers to an annotation"
            kids = element.get("/K")
            if kids is not None:
                pending.extend(kids.get_object() if isinstance(kids.get_object(), pypdf.generic.ArrayObject) else [kids])


def test_the_profile_keeps_rgb_within_the_ink_limit():
    """Every colour of the sRGB cube, separated through the committed profile, stays within
    330 % of ink; the darkest reach close to it (the limit is what stops them)."""
    levels = range(0, 256, 15)
    cube = Image.frombytes("RGB", (len(levels) ** 3, 1), bytes(c for r in levels for g in levels for b in levels
                                                              for c in (r, g, b)))
    srgb, fogra = ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(str(FOGRA39))
    for intent in (ImageCms.Intent.PERCEPTUAL, ImageCms.Intent.RELATIVE_COLORIMETRIC):
        transform = ImageCms.buildTransform(srgb, fogra, "RGB", "CMYK", renderingIntent=intent)
        cmyk = ImageCms.applyTransform(cube, transform)
        coverage = np.asarray(cmyk).astype(int).sum(axis=-1) / 255 * 100
        assert coverage.max() <= INK_LIMIT + 1, f"{intent}: {coverage.max():.1f} %"
        assert coverage.max() >= INK_LIMIT - 40


def colours(reader: pypdf.PdfReader, page) -> list[tuple[str, tuple, str | None]]:
    """What the page paints, in order, forms included: (operator, operands, fill colour
    space) for every colour operator and every text-showing one (operands: the fill colour)."""
    found: list = []
    _walk(reader, page.get_contents(), page["/Resources"].get_object(), found)
    return found


def _walk(reader, content, resources, found, fill=((), None)):
    stack = []
    operations = content.operations if isinstance(content, ContentStream) else ContentStream(content, reader).operations
    for operands, operator in operations:
        op = operator.decode("latin-1")
        if op == "q":
            stack.append(fill)
        elif op == "Q":
            fill = stack.pop()
        elif op in ("rg", "g", "k", "RG", "G", "K", "sc", "scn", "SC", "SCN", "cs", "CS"):
            values = tuple(str(v) if isinstance(v, pypdf.generic.NameObject) else round(float(v), 3) for v in operands)
            found.append((op, values, None))
            if op in ("rg", "g", "k", "sc", "scn"):
                fill = (values, op)
        elif op in ("Tj", "TJ", "'", '"'):
            found.append(("text", fill[0], fill[1]))
        elif op == "Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject["/Subtype"] == "/Form":
                inner = xobject["/Resources"].get_object() if "/Resources" in xobject else resources
                _walk(reader, xobject, inner, found, fill)
    return found


def _ink() -> float:
    """The design's text colour (styles/press.css --ink), a grey: its one channel, 0 to 1."""
    value = re.search(r"--ink:\s*#([0-9a-fA-F]{6})", (ROOT / "styles" / "press.css").read_text()).group(1)
    channels = {int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)}
    assert len(channels) == 1, "the ink is a grey"
    return round(channels.pop(), 3)


def test_greys_and_black_text_print_on_the_black_plate_alone(press, built):
    """Page by page against the reading PDF (the cover is typeset again for the press): every
    grey becomes a tint of black alone (C = M = Y = 0), the ink and anything darker solid
    black; every other colour a CMYK colour; nothing stays RGB."""
    reading, printing = pypdf.PdfReader(built / "2020-02.pdf"), pypdf.PdfReader(press)
    printed = [colours(printing, page) for page in printing.pages]  # each page parsed once, for the three checks
    ink = _ink()
    solid = checked = 0
    for index in range(1, len(reading.pages)):
        before = [c for c in colours(reading, reading.pages[index]) if c[0] in ("rg", "RG", "g", "G")]
        after = [c for c in printed[index] if c[0] in ("rg", "RG", "g", "G", "k", "K")]
        assert len(before) == len(after), f"page {index + 1}"
        for (op, rgb, _), (new, cmyk, _) in zip(before, after):
            assert new == {"rg": "k", "g": "k", "RG": "K", "G": "K"}[op], f"page {index + 1}: {op} {rgb} became {new}"
            assert len(cmyk) == 4
            if len(set(rgb)) == 1:  # a grey
                assert cmyk[:3] == (0, 0, 0), f"page {index + 1}: grey {rgb} printed as {cmyk}"
                if op in ("rg", "RG") and rgb[0] <= ink:
                    assert cmyk[3] == 1, f"page {index + 1}: {rgb} is as dark as the ink but printed as {cmyk}"
                    solid += 1
                checked += 1
    assert solid and checked
    for index, painted in enumerate(printed):
        assert not [c for c in painted if c[0] in ("rg", "RG")], f"page {index + 1} paints RGB"
        text = [c[1] for c in painted if c[0] == "text"]
        assert all(len(c) == 4 for c in text), f"page {index + 1}: text not in CMYK"
    body = [c[1] for painted in printed[1:] for c in painted if c[0] == "text"]
    assert max(set(body), key=body.count) == (0, 0, 0, 1), "body text is solid black alone"


def _resources_of(page):
    """The page's resource dictionary and those of every form it paints, recursively."""
    pending, seen = [page["/Resources"].get_object()], []
    while pending:
        resources = pending.pop()
        seen.append(resources)
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form" and "/Resources" in xobject:
                pending.append(xobject["/Resources"].get_object())
            elif xobject["/Subtype"] == "/Image":
                yield "image", xobject
            if xobject.get("/Group") is not None:
                yield "group", xobject["/Group"]
    for resources in seen:
        yield "resources", resources


def test_rgb_left_is_icc_based_srgb(press):
    reader = pypdf.PdfReader(press)
    forms = 0
    for index, page in enumerate(reader.pages):
        for kind, obj in _resources_of(page):
            if kind == "resources":
                default = obj["/ColorSpace"]["/DefaultRGB"].get_object()
                assert default[0] == "/ICCBased" and default[1].get_object()["/N"] == 3, f"page {index + 1}"
                forms += 1
            elif kind == "image":
                assert obj.get("/ColorSpace") != "/DeviceRGB", f"page {index + 1}: a DeviceRGB image"
            else:
                assert obj.get("/CS") in (None, "/DeviceCMYK"), f"page {index + 1}: a group blends in {obj.get('/CS')}"
    assert forms > len(reader.pages)  # the pages and their overlays at least


def test_crop_marks_are_in_registration_colour(press):
    reader = pypdf.PdfReader(press)
    for index, page in enumerate(reader.pages):
        spaces = page["/Resources"]["/ColorSpace"]
        strokes, stroke_space, tint = 0, None, None
        for operands, operator in page.get_contents().operations:
            if operator == b"CS":
                stroke_space = spaces[operands[0]].get_object() if operands[0] in spaces else operands[0]
            elif operator == b"SCN":
                tint = float(operands[0])
            elif operator == b"S" and stroke_space is not None and stroke_space[0] == "/Separation":
                assert stroke_space[1] == "/All" and tint == 1, f"page {index + 1}"
                strokes += 1
        assert strokes >= 8, f"page {index + 1}: {strokes} marks in /All"


def _separate(pdf: Path, out: Path, dpi: int) -> None:
    """Ghostscript's separations of every page (their whole MediaBox), in one run: a run a page
    read the PDF again each time (0.33 CPU-s a page against 1.3 for all 15 of 2020-02)."""
    subprocess.run(["gs", "-q", "-o", str(out / "sep%03d.tif"), "-sDEVICE=tiffsep", f"-r{dpi}", str(pdf)],
                   check=True, capture_output=True)


def _plates(out: Path, page: int) -> dict[str, np.ndarray]:
    """One page's separations, as _separate left them: ink 0 to 1 per plate."""
    return {name: 1 - np.asarray(Image.open(out / f"sep{page:03d}({name}).tif").convert("L")).astype(float) / 255
            for name in ("Cyan", "Magenta", "Yellow", "Black")}


def test_ghostscript_puts_text_on_the_black_plate_and_marks_on_all(press, tmp_path):
    """Separated by Ghostscript: wherever the black plate prints 80 % or more (text, rules,
    folios; photos aside) no other plate prints; outside the bleed only the crop marks, on
    every plate alike."""
    reader, document = pypdf.PdfReader(press), pdfium.PdfDocument(press)
    dpi = 100
    _separate(press, tmp_path, dpi)
    assert not (tmp_path / f"sep{len(reader.pages) + 1:03d}.tif").exists()
    for index, page in enumerate(reader.pages):
        plates = _plates(tmp_path, index + 1)
        media = [float(v) for v in page.mediabox]
        def pixels(box):
            return (slice(round((media[3] - box[3]) * dpi / 72), round((media[3] - box[1]) * dpi / 72)),
                    slice(round((box[0] - media[0]) * dpi / 72), round((box[2] - media[0]) * dpi / 72)))
        colour = plates["Cyan"] + plates["Magenta"] + plates["Yellow"]
        outside = np.ones(colour.shape, bool)
        x0, y0, x1, y1 = boxes(page)["BleedBox"]
        outside[pixels((x0 - 1, y0 - 1, x1 + 1, y1 + 1))] = False  # a point of grace for the pixel grid
        dark = (plates["Black"] >= 0.8) & ~outside
        for image in document[index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
            dark[pixels(image.get_bounds())] = False
        assert dark.sum() > 500, f"page {index + 1}: no black text"
        assert colour[dark].max() == 0, f"page {index + 1}: {(colour[dark] > 0).sum()} black pixels with colour ink"
        marks = outside & (plates["Black"] > 0)
        assert marks.sum() > 0
        for name in ("Cyan", "Magenta", "Yellow"):
            assert np.array_equal(plates[name][outside], plates["Black"][outside]), f"page {index + 1}: {name}"


def test_total_ink_within_the_limit_as_ghostscript_separates_it(press, tmp_path):
    """Rendered in CMYK through the file's own output intent (Ghostscript -dUsePDFX3Profile):
    no pixel inside the trim carries more than 330 % of ink, and black text stays black alone."""
    profile = tmp_path / "intent.icc"
    intent = pypdf.PdfReader(press).trailer["/Root"]["/OutputIntents"][0].get_object()
    profile.write_bytes(intent["/DestOutputProfile"].get_object().get_data())
    subprocess.run(["gs", "-q", "-o", str(tmp_path / "p%02d.tif"), "-sDEVICE=tiff32nc", "-r72", "-dUseTrimBox",
                    "-dUsePDFX3Profile", f"-sOutputICCProfile={profile}", str(press)], check=True, capture_output=True)
    pages = sorted(tmp_path.glob("p*.tif"))
    assert len(pages) == len(pypdf.PdfReader(press).pages)
    for path in pages:
        cmyk = np.asarray(Image.open(path)).astype(int)
        coverage = cmyk.sum(axis=-1) / 255 * 100
        assert coverage.max() <= INK_LIMIT + 1, f"{path.name}: {coverage.max():.1f} %"
    text = np.asarray(Image.open(pages[-1])).astype(int)
    assert ((text[..., 3] == 255) & (text[..., :3].sum(axis=-1) == 0)).sum() > 500, "solid black text survives"


# Ghostscript and MuPDF draw every page of this press PDF (and 2020-06's) with no error and no
# warning, as many pages as it has, and as PDFium draws them: test_readers.py,
# test_every_reader_draws_every_page_as_pdfium_does[2020-02.press.pdf].


def test_a_print_shops_profile_is_one_setting_away(issue_copy, tmp_path):
    shop = tmp_path / "shop.icc"
    shutil.copyfile(FOGRA39, shop)
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"), "--press",
                        env={"PRESS_ICC_PROFILE": str(shop)})
    assert result.returncode == 0, result.stderr
    intent = pypdf.PdfReader(tmp_path / "out" / "2020-02.press.pdf").trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/OutputConditionIdentifier"] == "Custom"
    assert intent["/Info"] == ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(str(shop))).strip()
    assert intent["/DestOutputProfile"].get_object().get_data() == shop.read_bytes()


def test_a_display_profile_for_the_press_is_an_error_naming_it(tmp_path, run_fresh):
    display = tmp_path / "screen.icc"
    display.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    result = run_fresh("pdf", str(ISSUE), "-o", str(tmp_path / "out"), "--press",
                       env={"PRESS_ICC_PROFILE": str(display)})
    assert result.returncode == 1
    named = result.stderr.split(": error: ")[0]
    assert (ROOT / named).resolve() == display.resolve(), result.stderr
    assert ": error: the press profile must be a CMYK printer profile" in result.stderr
    assert not (tmp_path / "out").exists()


def test_press_preflight_names_a_low_resolution_image_and_its_page(issue_copy, tmp_path):
    # 2020-02 with the photo of working-together (which alone places it) made coarse: only that
    # article's parts are typeset again (a part is cached by the images its own HTML shows), the
    # others are the session's build's.
    issue = issue_copy
    with Image.open(ISSUE / "images" / "who-briefing.jpg") as img:
        img.resize((600, 392)).save(issue / "images" / "who-briefing.jpg", quality=90)
    reading = build_here("pdf", str(issue), "-o", str(tmp_path / "reading"))
    assert reading.returncode == 0 and "as placed" not in reading.stderr
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "press"), "--press")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "who-briefing.jpg" in line and "as placed" in line]
    # The zh article and its English version both place it, each on the page of its caption;
    # diagnostics are sorted by file (docs/format.md), so the English one comes first.
    assert len(lines) == 2, result.stderr
    en, zh = lines
    press_pdf = tmp_path / "press" / "2020-02.press.pdf"
    caption = {s.lang: m[1] for s in read_issue(issue)[1] for b in s.blocks
               if (m := IMAGE.match(b)) and m[2] == "images/who-briefing.jpg"}
    zh_page, en_page = (pages_with(press_pdf, caption[lang][:40]) for lang in ("zh", "en"))
    assert len(zh_page) == len(en_page) == 1, (zh_page, en_page)
    assert "/working-together.zh.md:" in zh and ": warning: " in zh and f"on page {zh_page[0] + 1} of 2020-02.press.pdf" in zh
    assert "/working-together.en.md:" in en and f"on page {en_page[0] + 1} of 2020-02.press.pdf" in en


def _paragraph_openings(article: Path) -> list[str]:
    """The first three words of every plain paragraph of an English article's source."""
    body = article.read_text(encoding="utf-8").split("---", 2)[2]
    openings = []
    for block in body.split("\n\n"):
        words = block.strip().split()
        if len(words) > 3 and block.strip()[0].isalpha() and not re.search(r"[*_\[\]`!<\"']", " ".join(words[:3])):
            openings.append(" ".join(words[:3]))
    return openings


def test_ghostscript_inkcov_of_black_text_is_black_alone(press, tmp_path):
    """Ghostscript's inkcov over the opening words of every paragraph of the English article
    (each cropped to them): black ink only, no cyan, magenta or yellow."""
    openings = _paragraph_openings(ISSUE / "working-together.en.md")
    reader, document = pypdf.PdfReader(press), pdfium.PdfDocument(press)
    crops = pypdf.PdfWriter()
    for words in openings:
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            found = textpage.search(words, match_case=True).get_next()
            if found:
                boxes_ = [textpage.get_charbox(i) for i in range(found[0], found[0] + found[1])]
                page = crops.add_page(reader.pages[index])
                page.cropbox = pypdf.generic.RectangleObject([min(b[0] for b in boxes_), min(b[1] for b in boxes_),
                                                              max(b[2] for b in boxes_), max(b[3] for b in boxes_)])
                break
    assert len(crops.pages) == len(openings) >= 3, f"{len(crops.pages)} of {openings} found"
    crops.write(tmp_path / "crops.pdf")
    result = subprocess.run(["gs", "-q", "-o", "-", "-sDEVICE=inkcov", "-dUseCropBox", "-r300",
                             str(tmp_path / "crops.pdf")], capture_output=True, text=True, check=True)
    lines = [line.split()[:4] for line in result.stdout.splitlines() if line.endswith("OK")]
    assert len(lines) == len(openings)
    for words, (c, m, y, k) in zip(openings, lines):
        assert float(c) == float(m) == float(y) == 0 and float(k) > 0.05, f"{words!r}: C {c} M {m} Y {y} K {k}"
