"""Layout features of issue 15, on built pages: wide figures, runs of continued articles,
covers of one to six photos, overflow that is real and only real, ppi as placed.

The sample issue 2020-06 uses each of them; what is expected is read from its sources."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml

from conftest import ISSUES, SAMPLE, build_here, small_issue, small_issue_yaml
from issue_source import read_issue
from pdftext import Box, image_boxes, page_texts, pages_with, squash, visible_image_boxes

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
MARGIN = 16.8 * MM  # left and right margins of every page (styles/press.css)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOT = 22 * MM  # the bottom margin, where the folio stands
META, SOURCES = read_issue(SAMPLE)
CONTENTS_PAGE = 1
EDITIONS = {"2020-06.pdf": ("zh", "en"), "2020-06.zh.pdf": ("zh",), "2020-06.en.pdf": ("en",)}


@pytest.fixture(scope="module")
def sample(build_of) -> Path:
    return build_of("2020-06")


def chars(pdf: Path, page: int) -> list[tuple[str, Box, float]]:
    """Every printed character of a page with its box and font size (in text space units)."""
    doc = pdfium.PdfDocument(pdf)
    textpage = doc[page].get_textpage()
    out = []
    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if char.strip():
            out.append((char, Box(*textpage.get_charbox(i)), pdfium_c.FPDFText_GetFontSize(textpage.raw, i)))
    return out


def opening_page(pdf: Path, title: str) -> int:
    """0-based: the first page after the contents that shows the title."""
    return next(i for i in pages_with(pdf, title) if i > CONTENTS_PAGE)


# ---------- wide figures ----------

@pytest.mark.parametrize("name", EDITIONS)
def test_a_wide_figure_spans_both_columns_at_the_foot_of_its_page(sample, name):
    pdf = sample / name
    wide = [(s, caption) for s in SOURCES if s.lang in EDITIONS[name] for caption in s.wide_figures]
    assert wide, "the sample issue has a wide figure in each language"
    for source, caption in wide:
        page = pages_with(pdf, caption)[0]
        spanning = [im for im in image_boxes(pdf, page) if abs((im.right - im.left) - TEXT_WIDTH) < 1.5]
        assert len(spanning) == 1, f"{source.slug}.{source.lang}: no picture as wide as the text block on page {page + 1}"
        picture = spanning[0]
        assert abs(picture.left - MARGIN) < 1.5
        printed = chars(pdf, page)
        beside = [c for c, box, _ in printed if picture.bottom < (box.top + box.bottom) / 2 < picture.top]
        assert not beside, f"text beside the wide figure on page {page + 1}: {''.join(beside)[:40]!r}"
        # At the foot: below it only its caption and the page's notes (small type), then the folio.
        below = squash("".join(c for c, box, _ in printed if box.top < picture.bottom and box.bottom > FOOT))
        assert below.startswith(squash(caption)), f"the caption is not right under the wide figure on page {page + 1}"
        notes = below[len(squash(caption)):]
        assert notes == "" or notes[0].isdigit(), f"body text under the wide figure on page {page + 1}: {notes[:30]!r}"
        above = [c for c, box, _ in printed if box.bottom > picture.top]
        assert len(above) > 200, "the figure stands under the page's text"


def test_a_wide_figure_is_checked_for_print_at_its_placed_size(tmp_path):
    """Press preflight computes ppi from the size the figure is placed at: across the text block
    (176 mm), not a column (85 mm). A 1500-pixel chart is 216 ppi there, 450 in a column."""
    issue = tiny_issue(tmp_path / "wide", body="第一段文字。\n\n![宽幅图表。](images/chart.png){.wide}\n\n第二段文字。")
    shutil.copy(SAMPLE / "images" / "rd-chart.png", issue / "images" / "full.png")
    from PIL import Image
    with Image.open(SAMPLE / "images" / "rd-chart.png") as img:
        img.resize((1500, 300)).save(issue / "images" / "chart.png", dpi=(300, 300))
    # The lone cover photo spans the text block too: made big enough for the press (under 150 ppi is an error).
    with Image.open(issue / "images" / "cover-1.jpg") as img:
        img.resize((2100, round(2100 * img.height / img.width))).save(issue / "images" / "cover-1.jpg", quality=85)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"), "--press")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "images/chart.png" in line and "as placed" in line]
    assert warned, result.stderr
    ppi, width = re.search(r"is (\d+) ppi as placed \((\d+) ×", warned[0]).groups()
    assert abs(int(width) - 176) <= 1 and abs(int(ppi) - 1500 / (TEXT_WIDTH / 72)) <= 2, warned[0]


@pytest.mark.parametrize("wide, limit_mm", [(False, 120), (True, 95)])
def test_a_tall_picture_keeps_its_proportions_and_is_limited_in_height(tmp_path, wide, limit_mm):
    from PIL import Image

    issue = tiny_issue(tmp_path / "tall", body="第一段文字。\n\n![一张很高的图。](images/tall.png)" + ("{.wide}" if wide else ""))
    Image.new("RGB", (900, 2700), (90, 120, 160)).save(issue / "images" / "tall.png", dpi=(300, 300))
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "tiny.zh.pdf"
    page = pages_with(pdf, "一张很高的图")[0]
    (picture,) = image_boxes(pdf, page)
    width, height = picture.right - picture.left, picture.top - picture.bottom
    assert abs(height - limit_mm * MM) < 1.5, f"{height / MM:.1f} mm high"
    assert abs(width / height - 900 / 2700) < 0.01


# ---------- continued articles ----------

@pytest.mark.parametrize("name", EDITIONS)
def test_a_continued_article_starts_on_the_page_where_the_one_before_ends(sample, name):
    pdf = sample / name
    for lang in EDITIONS[name]:
        in_lang = [s for s in SOURCES if s.lang == lang]
        continued = [(before, s) for before, s in zip(in_lang, in_lang[1:]) if s.continued]
        assert continued, f"the sample issue has continued articles in {lang}"
        for before, source in continued:
            last = [b for b in before.blocks if not b.startswith(("[^", "!", "#"))][-1]
            # Its last words, from the last stretch that no note number interrupts.
            stretch = [part for part in re.split(r"\[\^[^\]]+\]", last) if len(part) >= 6][-1]
            ends = pages_with(pdf, before.plain(stretch)[-12:])
            opens = opening_page(pdf, source.meta["title"])
            assert opens == ends[-1], f"{source.slug}.{lang} opens on page {opens + 1}, {before.slug} ends on {ends[-1] + 1}"


def test_a_run_of_news_items_shares_pages(sample):
    """Four news items of a few sentences each take one page, not four."""
    pdf = sample / "2020-06.pdf"
    for lang in ("zh", "en"):
        in_lang = [s for s in SOURCES if s.lang == lang]
        run = [in_lang[i] for i in range(len(in_lang)) if in_lang[i].continued or i + 1 < len(in_lang) and in_lang[i + 1].continued]
        pages = {opening_page(pdf, s.meta["title"]) for s in run}
        assert len(run) >= 3 and len(pages) == 1, (lang, [s.slug for s in run], pages)


@pytest.mark.parametrize("name", EDITIONS)
def test_the_outline_points_at_the_page_of_each_title(sample, name):
    """Every article has its outline entry, a continued one too, pointing at its opening page."""
    import pypdf

    reader = pypdf.PdfReader(sample / name)
    entries = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                entries[item.title] = reader.get_destination_page_number(item)

    walk(reader.outline)
    articles = [s for s in SOURCES if s.lang in EDITIONS[name]]
    for source in articles:
        title = source.meta["title"]
        assert entries.get(title) == opening_page(sample / name, title), (title, entries.get(title))


@pytest.mark.parametrize("name", EDITIONS)
def test_running_heads_name_the_article_running_on_the_page(sample, name):
    """A recto head names the article the page's text belongs to (after its opening page), and
    never an article that has not begun yet."""
    pdf = sample / name
    opened = {s.meta["title"]: opening_page(pdf, s.meta["title"]) for s in SOURCES if s.lang in EDITIONS[name]}
    for title, first in opened.items():
        for page in pages_with(pdf, title):
            assert page >= first or page == CONTENTS_PAGE, f"{title!r} printed on page {page + 1} before it opens on {first + 1}"


# ---------- the cover ----------

def cover_tiles(pdf: Path, count: int) -> None:
    """The photos of the cover fill the photo area without a hole: `count` pictures, every row
    from the left margin to the right one, 6 mm between the pictures of a row."""
    photos = sorted(visible_image_boxes(pdf, 0), key=lambda b: (-b.top, b.left))
    assert len(photos) == count
    rows: list[list[Box]] = []
    for photo in photos:
        if rows and abs(rows[-1][0].top - photo.top) < 1:
            rows[-1].append(photo)
        else:
            rows.append([photo])
    for row in rows:
        assert abs(row[0].left - MARGIN) < 1.5 and abs(row[-1].right - (PAGE_WIDTH - MARGIN)) < 1.5, row
        for a, b in zip(row, row[1:]):
            assert abs((b.left - a.right) - 6 * MM) < 1.5, row
            assert abs(a.bottom - b.bottom) < 1, row
    for upper, lower in zip(rows, rows[1:]):
        assert 0 < upper[0].bottom - lower[0].top < 40 * MM, "rows of photos too far apart"
    assert rows[-1][0].bottom > 45 * MM, "the photos end well above the foot of the cover"


@pytest.mark.parametrize("issue_id", ["2020-02", "2020-06"])
def test_the_cover_photos_of_both_issues_tile_the_cover(build_of, issue_id):
    meta = yaml.safe_load((ISSUES[issue_id] / "issue.yaml").read_text(encoding="utf-8"))
    for name in (f"{issue_id}.pdf", f"{issue_id}.zh.pdf", f"{issue_id}.en.pdf"):
        cover_tiles(build_of(issue_id) / name, len(meta["cover"]))


def cover_issue(folder: Path, count: int, caption_words: int = 0) -> Path:
    """tiny_issue with `count` cover photos, its images folder holding six whatever the count: a
    part is cached by the images of its issue too, and so the article, the same in each, is set once."""
    issue = tiny_issue(folder, covers=6)
    (issue / "issue.yaml").write_text(small_issue_yaml(["only"], count, caption_words), encoding="utf-8")
    return issue


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6])
def test_one_to_six_cover_photos_leave_no_hole(tmp_path, count):
    issue = cover_issue(tmp_path / f"cover-{count}", count)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    cover_tiles(tmp_path / "out" / "tiny.zh.pdf", count)


def test_captions_too_long_for_the_cover_are_an_error(tmp_path):
    issue = cover_issue(tmp_path / "long", 6, caption_words=60)
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert re.search(r"issue\.yaml:\d+: error: the 6 cover photos and their captions do not fit on the cover page: "
                     "shorten the captions or use fewer photos", result.stderr), result.stderr


# ---------- overflow ----------

def test_a_line_ending_before_a_quarter_em_is_not_overflow(tmp_path):
    """The paragraph of issue 15: a line ends in 约 before '5 个百分点'. clreq puts a quarter em
    between 约 and 5; it stays at the end of the line, past the column edge, and is not ink.
    The paragraphs below start the sentence at every offset, so one of them ends a line there."""
    tail = "约 5 个百分点，其中基础研究经费增长较快，占比继续提高，企业研发投入的主体地位进一步巩固。"
    filler = "全社会研究与试验发展经费投入比上年同期增长" * 4
    paragraphs = [filler[:n] + tail for n in range(18, 50)]
    issue = tiny_issue(tmp_path / "overflow", body="\n\n".join(paragraphs))
    result = build_here("pdf", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "wider than its column" not in result.stderr
    lines = [line.strip() for text in page_texts(tmp_path / "out" / "tiny.zh.pdf") for line in text.splitlines()]
    assert any(line.endswith("约") for line in lines), "no line ends in 约: the test lost its case"


# ---------- a small issue to vary ----------

def tiny_issue(folder: Path, body: str = "正文。", covers: int = 1, caption_words: int = 0) -> Path:
    """An issue of one short article in both languages, with `covers` cover photos (their
    captions longer by `caption_words` words)."""
    english = re.sub(r"[^\x00-\x7f]+", "Text. ", body)
    return small_issue(folder, {"only.zh.md": f"---\ntitle: 测试文章\n---\n{body}\n",
                                "only.en.md": f"---\ntitle: A test article\n---\n{english}\n"}, covers, caption_words)
