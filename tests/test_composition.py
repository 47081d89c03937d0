"""Page make-up (issue 21), on the built PDFs of 2020-02, 2020-06 and the composer's sample
2020-09, read back by tools/layout_report.py; and looseness in the paragraph composer.

What is asserted is what the make-up reaches on every PDF; tools/layout_report.py prints the
rest (holes before headings, unbalanced endings, the grid share)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys

import pytest
import yaml

from conftest import ISSUES, ROOT, build_here
from issue_source import read_issue

from press.linebreak import Params, compose, english

COMPOSER_SAMPLE = ROOT / "content" / "2020-09"
ALL_ISSUES = {**ISSUES, "2020-09": COMPOSER_SAMPLE}
PDF_CASES = [(issue_id, f"{issue_id}{suffix}") for issue_id in ALL_ISSUES for suffix in (".pdf", ".zh.pdf", ".en.pdf")]


def _report_module():
    spec = importlib.util.spec_from_file_location("layout_report", ROOT / "tools" / "layout_report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("layout_report", module)
    spec.loader.exec_module(module)
    return module


report = _report_module()


@pytest.fixture(scope="module")
def outputs(session_build):
    """Each issue's output folder, and the warnings of its build (2020-09's are read)."""
    return {"2020-09": session_build("2020-09"), **{i: session_build(i) for i in ISSUES}}


_LAYOUTS: dict = {}  # PDF -> its layout: read once (0.5 CPU-s a PDF) for the five tests that read each


def layout_of(outputs, issue_id, name):
    pdf = outputs[issue_id][0] / name
    if pdf not in _LAYOUTS:
        _LAYOUTS[pdf] = report.read_layout(pdf)
    return _LAYOUTS[pdf]


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_every_note_is_on_the_page_of_its_call(outputs, issue_id, name):
    layout = layout_of(outputs, issue_id, name)
    notes = sum(len(page.notes) for page in layout.pages)
    sources = read_issue(ALL_ISSUES[issue_id])[1]
    langs = {".zh.pdf": ("zh",), ".en.pdf": ("en",)}.get(name[len(issue_id):], ("zh", "en"))
    # The notes of the sources (the links' addresses add more): the reading is not empty.
    assert notes >= sum(1 for s in sources if s.lang in langs for block in s.blocks if block.startswith("[^"))
    assert report.notes_off_their_page(layout) == []


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_every_article_opens_with_its_body_text(outputs, issue_id, name):
    layout = layout_of(outputs, issue_id, name)
    sources = read_issue(ALL_ISSUES[issue_id])[1]
    langs = {".zh.pdf": ("zh",), ".en.pdf": ("en",)}.get(name[len(issue_id):], ("zh", "en"))
    assert len(layout.articles) == len([s for s in sources if s.lang in langs])
    assert report.openings_without_body(layout) == []


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_no_float_leaves_a_hole_above_it(outputs, issue_id, name):
    """A figure or table that does not fit where its text stands goes on while the text fills
    the column: what is left above it is less than two body lines (a paragraph's two lines
    after a paragraph's end, orphans: 2, cannot come before it)."""
    layout = layout_of(outputs, issue_id, name)
    assert report.holes_above_floats(layout) == []


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_no_note_call_starts_a_line_and_no_table_cell_is_broken(outputs, issue_id, name):
    layout = layout_of(outputs, issue_id, name)
    assert report.calls_at_line_start(layout) == []
    assert report.broken_table_cells(layout) == []


def test_a_short_tail_left_is_a_warning_at_its_source_line(outputs):
    """Each tail the make-up could not mend is said, with the line of the article's last paragraph."""
    stderr = outputs["2020-09"][1]
    layout = layout_of(outputs, "2020-09", "2020-09.pdf")
    tails = report.tails(layout)
    warned = [line for line in stderr.splitlines() if "on a page of their own" in line]
    assert len(warned) == len(tails)
    for line in warned:
        path, number = re.match(r"(\S+?):(\d+): warning: page (\d+)", line).groups()[:2]
        text = (ROOT / path).read_text(encoding="utf-8").splitlines()[int(number) - 1]
        assert text and not text.startswith(("[^", "#", "!")), line


@pytest.mark.parametrize("issue_id", ALL_ISSUES)
def test_every_hole_left_is_a_warning_at_the_block_that_did_not_fit(outputs, issue_id):
    """A column that ends two or more grid lines above its foot on a page from which its article
    goes on is said, on that page, at the source line of the block that did not fit under it
    (a heading, which comes with its first lines): what the editor can lengthen or shorten."""
    out, stderr = outputs[issue_id]
    holes = report.holes(report.read_layout(out / f"{issue_id}.pdf"))
    warned = {}
    for line in stderr.splitlines():
        if line.endswith("[layout.hole]"):
            path, number, page = re.match(rf"(\S+?):(\d+): warning: page (\d+) of {issue_id}\.pdf: ", line).groups()
            warned[int(page)] = (ROOT / path).read_text(encoding="utf-8").splitlines()[int(number) - 1]
    for hole in holes:
        page = int(re.match(r"p(\d+) ", hole).group(1))
        assert page in warned, f"{hole}: not warned ({stderr})"
        assert warned[page].strip() and not warned[page].startswith(("[^", "!")), warned[page]


def lists_away_from_their_lead_ins(layout) -> list[str]:
    """Pages that start with a list while the page before ends with the paragraph that
    introduces it (one ending in a colon). A list's lines are all set in from the column's edge
    (its markers are not text); a paragraph's first line only."""
    found = []
    for a in layout.articles:
        pages = sorted(a.lines)
        for before, page in zip(pages, pages[1:]):
            last = [line for line in a.lines[before] if line.kind == "body"]
            first = [line for line in a.lines[page] if line.kind == "body" and line.column == 0]
            if last and len(first) >= 2:
                edge = min(report._visible(line.glyphs)[0].left for line in layout.pages[page].body(0))
                listed = all(report._visible(line.glyphs)[0].left > edge + line.em for line in first[:2])
                if listed and last[-1].text.rstrip().endswith((":", "：")):
                    found.append(f"p{page + 1}: {last[-1].text[-12:]!r} / {first[0].text[:12]!r}")
    return found


@pytest.mark.parametrize("issue_id", [*ALL_ISSUES, "2020-12"])
def test_no_list_of_the_samples_starts_a_page_away_from_its_lead_in(session_build, issue_id):
    layout = report.read_layout(session_build(issue_id)[0] / f"{issue_id}.pdf")
    assert lists_away_from_their_lead_ins(layout) == []


def test_a_list_may_start_a_column_but_not_a_page_away_from_the_paragraph_that_introduces_it(tmp_path):
    """A list may start a column (WeasyPrint's own sheet would keep it with the block before it,
    and leave a hole), but not a page after its lead-in, the paragraph ending in a colon: here a
    long paragraph of 67 lines puts the lead-in's last line at the foot of the first page, and the
    make-up keeps the list with it."""
    from test_layout import tiny_issue

    items = "\n".join(f"- 第{i}类用户：科研人员在实验室里反复试验，找到了新的方法。" for i in range(1, 5))
    body = "\n\n".join(["研" * (24 * 67 - 2), FILLER * 3 + "网络用户分为四类：", items, FILLER * 6])
    issue = tiny_issue(tmp_path / "lead-in", body=body)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    layout = report.read_layout(tmp_path / "out" / "tiny.zh.pdf")
    assert len(layout.articles[0].lines) >= 2  # the article goes on to a second page
    assert lists_away_from_their_lead_ins(layout) == []


# ---------- looseness (press/linebreak.py) ----------

TEXT = ("The paragraph composer chooses all the breaks of a paragraph together, the way TeX does, "
        "and a page maker may ask it for one line more or one line fewer than its best.")


def lines_of(looseness: int, width: float, tolerance: float = 3.0) -> int:
    x = [float(i) for i in range(len(TEXT) + 1)]
    paragraph = english(TEXT, x, 1.0, shrink=0.5)
    breaks = compose(paragraph.items, (width,), Params(tolerance=tolerance, looseness=looseness))
    return len(breaks)


def test_looseness_sets_a_line_more_or_fewer_where_the_tolerance_allows():
    best = lines_of(0, 41)
    assert lines_of(+1, 41) == best + 1
    assert lines_of(-1, 41) == best - 1


def test_looseness_keeps_the_best_lines_where_the_tolerance_does_not_allow():
    best = lines_of(0, 41, tolerance=0.5)
    assert lines_of(+1, 41, tolerance=0.5) == best


def test_a_figure_with_no_text_after_it_to_fill_its_hole_is_a_warning(tmp_path):
    """Text that ends part-way down a page, then a tall picture that does not fit under it: the
    picture goes on to the next page, nothing can fill the white above it, and the build says
    so at the line of the picture."""
    from PIL import Image

    from test_layout import tiny_issue

    filler = "全社会研究与试验发展经费投入比上年同期增长，基础研究经费增长较快，占比继续提高。" * 3
    body = "\n\n".join([filler] * 11) + "\n\n![一张很高的图。](images/tall.png)\n"
    issue = tiny_issue(tmp_path / "pushed", body=body)
    Image.new("RGB", (900, 2700), (90, 120, 160)).save(issue / "images" / "tall.png", dpi=(300, 300))
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    line = next(n for n, text in enumerate((issue / "only.zh.md").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("![一张很高的图"))
    assert re.search(rf"only\.zh\.md:{line}: warning: page \d+ of tiny\.pdf: this figure does not fit below the text "
                     r"before it and leaves [\d.]+ lines free above it", result.stderr), result.stderr


FILLER = "全社会研究与试验发展经费投入比上年同期增长，基础研究经费增长较快，占比继续提高。"
TRIAL = "科研人员在实验室里反复试验，终于找到了一种新的方法，使产量和质量同时得到提高。"


def test_a_column_that_stops_short_of_a_heading_is_filled_by_a_looser_paragraph(tmp_path):
    """Long paragraphs, then a one-sentence one and a heading that, with its first two lines,
    does not fit under it at the foot of the column: the make-up sets a paragraph of the page a
    line looser (it has room to: a long Chinese paragraph can spread its characters), and no
    column stops more than a body line short."""
    from test_layout import tiny_issue

    long = (FILLER + TRIAL) * 9
    body = "\n\n".join([long, long, (TRIAL + FILLER) * 3, FILLER, "## 二、新的方法", TRIAL * 4 + FILLER * 3, long])
    issue = tiny_issue(tmp_path / "hole", body=body)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    layout = report.read_layout(tmp_path / "out" / "tiny.zh.pdf")
    article = layout.articles[0]
    assert article.last > article.opening  # the article goes on from its first page: a hole would count
    assert report.holes(layout) == []


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_no_short_tail_is_left_beside_a_float_that_could_go_back(outputs, issue_id, name):
    """An article that runs onto a page with fewer than TAIL_LINES lines of text there does not
    also hold a picture there: the make-up moves a float called on a page before back to the
    column of its paragraph, and the text it stood in the way of goes on instead (2020-09:
    grain-harvest's paddy photo)."""
    layout = layout_of(outputs, issue_id, name)
    for tail in report.tails(layout):
        page = layout.pages[int(re.match(r"p(\d+):", tail).group(1)) - 1]
        assert not page.images, tail


def test_an_ending_beside_a_tall_photo_is_evened_by_where_and_how_large_the_photo_is_set(outputs):
    """2020-09's deep-sea article ends on a page with a portrait photo at the break between the
    columns: the text stopped 4 lines down the left column above the photo, the rest in the
    right column, 11 lines apart. The make-up sets the photo after the article's source line,
    the text in one column and the photo in the other. In Chinese the photo's column is the
    longer: the photo is set smaller (by at most a fifth) to end with the text. In English the
    text is the longer by two lines and the photo cannot grow (it is printed at the 300 ppi
    print wants): it goes to the top of the column where it is called instead, and set a line
    smaller moves the text by a line, so that the last page balances. Both endings within a
    line; the photo between 80 and 110 % of its full-measure size and at 300 ppi at least."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    widths = {}
    cases = (("2020-09.zh.pdf", "万米深潜", "last"), ("2020-09.en.pdf", "Ten thousand", "opening"))
    for name, title, in_part in cases:
        layout = layout_of(outputs, "2020-09", name)
        article = next(a for a in layout.articles if a.title.startswith(title))
        on = article.last if in_part == "last" else article.opening
        images = layout.pages[on].images
        assert len(images) == 1, name  # the photo is on the ending's page (zh), where it is called (en)
        widths[name] = images[0][2] - images[0][0]
        spreads = [float(re.search(r"end ([\d.]+|inf) lines apart", e).group(1))
                   for e in report.unbalanced_endings(layout) if e.startswith(f"p{article.last + 1}:")]
        assert spreads == [], (name, spreads)
        with pdfium.PdfDocument(outputs["2020-09"][0] / name) as pdf:
            image = next(pdf[on].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4))
            left, bottom, right, top = image.get_bounds()
            pixels = image.get_px_size()
            assert min(pixels[0] / ((right - left) / 72), pixels[1] / ((top - bottom) / 72)) >= 299.5, name
    # The same picture in the same column measure (the 176.4 mm text block less a 7 mm gap, in
    # half), at 303 ppi at full measure: both set smaller, by at most a fifth, the Chinese one
    # (beside text 3.5 lines shorter) the more.
    measure = (176.4 - 7) / 2 * report.MM
    for name, width in widths.items():
        assert 0.8 * measure <= width < measure - 1, (name, width, measure)
    assert widths["2020-09.zh.pdf"] < widths["2020-09.en.pdf"] - 1, widths


def test_a_hole_before_a_heading_is_closed_by_a_tighter_paragraph(outputs):
    """2020-09 en p5: a heading with its first two lines did not fit under the right column by
    less than a line, and no paragraph could be set a line looser; one of the page's
    paragraphs set a line tighter pulls the heading up to the column's foot."""
    assert report.holes(layout_of(outputs, "2020-09", "2020-09.en.pdf")) == []


def test_a_hole_before_a_heading_is_closed_from_the_page_before(outputs):
    """2020-02 en, the article's second page: heading III with its first two lines missed the
    left column by 1.2 lines, and no paragraph of that page could be set a line looser or
    tighter. Looseness is not bound to the page: the make-up sets a paragraph of the page
    before a line tighter and its photo a little smaller (PHOTO_CUT), which pull two lines back
    across the page break, and the heading closes the column."""
    layout = layout_of(outputs, "2020-02", "2020-02.en.pdf")
    assert report.holes(layout) == []
    article = next(a for a in layout.articles if a.title.startswith("Working together"))
    assert article.last > article.opening + 1  # the article runs over three pages: two column feet to hold
    # The photo of the opening page is set no more than PHOTO_CUT smaller than the column is wide.
    images = layout.pages[article.opening].images
    column = max(line.glyphs[-1].right for line in layout.pages[article.opening].body(0)) \
        - min(line.glyphs[0].left for line in layout.pages[article.opening].body(0))
    assert len(images) == 1 and 0.85 * column <= images[0][2] - images[0][0] <= column + 1, (images, column)


@pytest.mark.parametrize("issue_id, name, title", [("2020-02", "2020-02.zh.pdf", "中国科学共同体"),
                                                    ("2020-06", "2020-06.en.pdf", "Young scientists")])
def test_a_hole_on_an_opening_page_is_closed_by_the_opening_set_a_line_lower(outputs, issue_id, name, title):
    """A hole on an article part's first page, where no page before has a line to give: 2020-02
    knowledge-sharing.zh's right column ended 4 lines short of a heading pair that missed it by
    more than two lines, 2020-06 young-scientists.en's left column 2 lines short of a heading, and
    no paragraph of the page could be set a line looser or tighter. The opening itself gives the
    lines, as a designer sets the columns of an opening lower: the white under the title and
    abstract a grid line deeper (two for knowledge-sharing, whose Chinese abstract set a line
    looser would end with one character alone). The columns keep their grid, and the build
    says no hole (2020-06 rd-funding.zh's, above a wide chart, neither)."""
    layout = layout_of(outputs, issue_id, name)
    article = next(a for a in layout.articles if a.title.startswith(title))
    assert article.part_start and article.last > article.opening  # the article goes on from its opening page
    page = layout.pages[article.opening]
    assert [h for h in report.holes(layout) if h.startswith(f"p{article.opening + 1} ")] == []
    left, right = page.body(0), page.body(1)
    assert len(left) >= 5 and len(right) >= 5
    # Right-column lines on the left column's grid: the columns moved by whole lines.
    assert all(abs((r.baseline - left[0].baseline) / page.line_height
                   - round((r.baseline - left[0].baseline) / page.line_height)) * page.line_height < 0.5
               for r in right), [(r.baseline, left[0].baseline, page.line_height) for r in right]
    assert "[layout.hole]" not in outputs[issue_id][1]


def test_a_short_tail_is_pushed_to_five_lines_by_looser_chinese_paragraphs(outputs):
    """2020-09 mars-probe.zh ended with 2 lines on a page of their own, and only 2 of the
    paragraphs before could be set a line looser with their gaps within LOOSER_RATIO. Chinese
    paragraphs may spread to the composer's own limit (MAX_SPACING a gap) when that mends a tail:
    three of them push the tail to TAIL_LINES lines or more, and the article's last page holds it
    in two columns within a line of each other."""
    layout = layout_of(outputs, "2020-09", "2020-09.zh.pdf")
    article = next(a for a in layout.articles if a.title.startswith("“天问一号”"))
    assert article.last > article.opening
    assert report.tails(layout) == []
    assert not [e for e in report.unbalanced_endings(layout) if e.startswith(f"p{article.last + 1}:")]


def test_an_editors_last_sentence_leaves_no_uneven_ending(tmp_path):
    """2020-06 with a sentence more in two articles (tools/one_sentence.py: the paragraph at two
    thirds of the article gets its first sentence again). rd-funding.en then ends 1.7 lines
    apart, its table standing at the foot of the longer column: the table goes to the top of
    the column where it is called, and the text flows past it. young-scientists.zh ends 2 lines
    apart, and no paragraph can take a line more or fewer: its photo on the page before is set a
    line smaller (never below 300 ppi, at least four fifths of its size). Both end within a
    line, with no warning of it, no short tail, and no note away from its call."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    spec = importlib.util.spec_from_file_location("one_sentence", ROOT / "tools" / "one_sentence.py")
    one_sentence = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(one_sentence)
    issue = tmp_path / "2020-06"
    shutil.copytree(ISSUES["2020-06"], issue)
    for name in ("rd-funding.en.md", "young-scientists.zh.md"):
        text = (issue / name).read_text(encoding="utf-8")
        changed = one_sentence.variant(text, +1)
        assert changed is not None and len(changed) > len(text), name
        (issue / name).write_text(changed, encoding="utf-8")
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "layout.unbalanced" not in result.stderr, result.stderr
    layout = report.read_layout(tmp_path / "out" / "2020-06.pdf")
    assert report.unbalanced_endings(layout) == []
    assert report.tails(layout) == [] and report.notes_off_their_page(layout) == []
    with pdfium.PdfDocument(tmp_path / "out" / "2020-06.pdf") as pdf:
        for page in list(pdf)[1:]:  # the cover's photos are the editors' (299 ppi across the page)
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
                left, bottom, right, top = image.get_bounds()
                width, height = image.get_px_size()
                assert min(width / ((right - left) / 72), height / ((top - bottom) / 72)) >= 299.5


def test_a_photo_with_resolution_to_spare_is_set_larger_to_end_with_the_text_beside_it(tmp_path):
    """2020-09's grain-harvest.en ends with its paddy photo set after the text, the text 1.5 lines
    the longer. At the sample's 303 ppi the photo cannot grow, and goes back to where it is
    called. With twice the pixels it stays, set larger instead (at most 110 % of its height,
    cropped at its sides to the column's measure, as a compositor crops a photo to a depth),
    and the columns end within a line."""
    from PIL import Image
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    issue = tmp_path / "2020-09"
    shutil.copytree(COMPOSER_SAMPLE, issue)
    # The article alone: its pages are its own (it opens a page), and the rest of the issue would
    # only be put together again around it (the parts that do not show the photo come from the cache).
    meta = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))
    assert "grain-harvest" in meta["articles"]
    meta["articles"] = ["grain-harvest"]
    (issue / "issue.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for other in issue.glob("*.md"):
        if other.name.split(".")[0] not in ("grain-harvest", "README"):
            other.unlink()
    photo = issue / "images" / "paddy.jpg"
    with Image.open(photo) as image:
        pixels = image.size
        image.resize((2 * pixels[0], 2 * pixels[1])).save(photo, quality=90)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "grain-harvest.en.md:38: warning" not in result.stderr, result.stderr
    layout = report.read_layout(tmp_path / "out" / "2020-09.en.pdf")
    article = next(a for a in layout.articles if a.title.startswith("Another good grain harvest"))
    assert not [e for e in report.unbalanced_endings(layout) if e.startswith(f"p{article.last + 1}:")]
    measure = (176.4 - 7) / 2 * report.MM  # the column's: the photo's natural width
    with pdfium.PdfDocument(tmp_path / "out" / "2020-09.en.pdf") as pdf:
        photos = [image for image in pdf[article.last].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)
                  if image.get_px_size() == (2 * pixels[0], 2 * pixels[1])]
        assert len(photos) == 1  # on the last page, beside the text
        left, bottom, right, top = photos[0].get_bounds()
    natural = measure * pixels[1] / pixels[0]
    # Drawn taller than its natural height, and as much wider (the sides fall outside the column).
    assert 1.02 * natural < top - bottom <= 1.1 * natural + 0.5, (top - bottom, natural)
    assert right - left > measure + 1
    assert 2 * pixels[1] / ((top - bottom) / 72) >= 300
