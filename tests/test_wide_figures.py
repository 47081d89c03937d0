"""Wide figures ({.wide}) that do not fit at the foot of the page where they are called
(issue 21, targets 1 and 2), on built pages read back by tools/layout_report.py.

The issue is the English grain-harvest article of the composer's sample 2020-09, alone, with
a sentence repeated in the paragraph before its wide chart so that the chart no longer fits
under the text at the foot of its page. Before press/floats.py deferred such a figure,
WeasyPrint moved it on as a footnote, and every note called after it on that page went
with it: the article's last note printed on a page of its own with the chart, away from its
call (issue 21: "That page held only the chart and the notes")."""

from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import ROOT, build_here
from pdftext import image_boxes, page_texts, squash
from test_composition import report

SAMPLE = ROOT / "content" / "2020-09"
MM = 72 / 25.4
TOP = 297 * MM - 24 * MM  # the top of the text block (styles/press.css, @page)
TEXT_WIDTH = (210 - 2 * 16.8) * MM
ANCHOR_END = {"en": "using less pesticide.", "zh": "也减少了农药用量。"}  # the paragraph the chart follows
ADDED = {"en": " Remote-sensing satellites and field sensors let farmers follow soil moisture and crop growth in time.",
         "zh": "遥感卫星和地面传感器组成的监测网络，让农民可以及时了解墒情和苗情。"}
LAST_START = "Experts say food security rests on farmland and its future on technology."  # after the chart
MORE = " Seed banks keep the old varieties that breeders cross with the new."
LAST_WORDS = "crop growth in time."  # how the English anchor paragraph ends once sentences are added


def grain_issue(folder, lang: str, sentences: int, after: int = 0):
    """2020-09's grain-harvest alone, in one language, its chart's paragraph longer by
    `sentences`, the paragraph after the chart by `after` (English)."""
    shutil.copytree(SAMPLE / "images", folder / "images")
    meta = yaml.safe_load((SAMPLE / "issue.yaml").read_text(encoding="utf-8"))
    meta["articles"] = ["grain-harvest"]
    (folder / "issue.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    text = (SAMPLE / f"grain-harvest.{lang}.md").read_text(encoding="utf-8")
    anchor = ANCHOR_END[lang]
    assert text.count(anchor) == 1 and "{.wide}" in text.split(anchor)[1].split("\n\n")[1]
    text = text.replace(anchor, anchor + ADDED[lang] * sentences)
    text = text.replace(LAST_START, LAST_START + MORE * after)
    (folder / f"grain-harvest.{lang}.md").write_text(text, encoding="utf-8")
    return folder


# The chart's anchor falls on the part's last page ("last": 28 sentences more before the chart;
# "zh-last": 46), or at the foot of a page, the paragraph after the chart going on to the next
# ("next": 34 before, 6 after).
CASES = {"last": ("en", 28, 0), "next": ("en", 34, 6), "zh-last": ("zh", 46, 0)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    made = {}
    for case, (lang, sentences, after) in CASES.items():
        base = tmp_path_factory.mktemp(f"grain-{case}")
        issue = grain_issue(base / "2020-09", lang, sentences, after)
        result = build_here("pdf", str(issue), "-o", str(base / "out"))
        assert result.returncode == 0, result.stderr
        made[case] = base / "out" / f"2020-09.{lang}.pdf"
    return made


def wide_figures(pdf):
    """(page index, image box) of every picture as wide as the text block, after the cover and contents."""
    return [(page, box) for page in range(2, len(page_texts(pdf))) for box in image_boxes(pdf, page)
            if abs((box.right - box.left) - TEXT_WIDTH) < 1.5]


def anchor_page(pdf) -> int:
    return max(i for i, text in enumerate(page_texts(pdf)) if squash(LAST_WORDS) in squash(text))


@pytest.mark.parametrize("case", CASES)
def test_every_note_stays_on_its_calls_page_and_no_page_holds_only_the_chart(built, case):
    layout = report.read_layout(built[case])
    source = (SAMPLE / f"grain-harvest.{CASES[case][0]}.md").read_text(encoding="utf-8")
    assert sum(len(page.notes) for page in layout.pages) >= source.count("\n[^")  # the notes are read
    assert report.notes_off_their_page(layout) == []
    figures = wide_figures(built[case])
    assert len(figures) == 1, f"the chart is set {len(figures)} times"
    (page, _), = figures
    assert layout.pages[page].body(), f"page {page + 1} holds the chart and no text"


def test_a_chart_whose_anchor_is_on_the_last_page_opens_that_page(built):
    """No page follows to take it: it stands at the top of the page of its anchor, the text under it."""
    pdf = built["last"]
    (page, box), = wide_figures(pdf)
    # The case itself (if the make-up or the grid change, CASES may need other sentence counts):
    # the chart's paragraph ends on the last page but one, and the article goes on one page more.
    assert anchor_page(pdf) == len(page_texts(pdf)) - 2, "not the case any more: adjust CASES['last']"
    assert page == anchor_page(pdf), f"the chart is on page {page + 1}, its paragraph ends on page {anchor_page(pdf) + 1}"
    assert abs(box.top - TOP) < 1.5, f"the chart is not at the top of page {page + 1}"


def test_a_chart_that_misses_its_pages_foot_opens_the_next_page_and_the_text_fills_the_page_before(built):
    pdf = built["next"]
    layout = report.read_layout(pdf)
    (page, box), = wide_figures(pdf)
    before = anchor_page(pdf)
    assert page == before + 1, f"the chart is on page {page + 1}, its paragraph ends on page {before + 1}"
    assert abs(box.top - TOP) < 1.5, f"the chart is not at the top of page {page + 1}"
    # Text under it, not beside or above it.
    assert all(line.baseline < box.bottom for line in layout.pages[page].body())
    # The page before is filled: both columns reach its foot.
    assert [hole for hole in report.holes(layout) if hole.startswith(f"p{before + 1} ")] == []
    assert {line.column for line in layout.pages[before].body()} == {0, 1}


def _char_bottoms(pdf, page: int) -> list[float]:
    import pypdfium2 as pdfium

    textpage = pdfium.PdfDocument(pdf)[page].get_textpage()
    return [textpage.get_charbox(i)[1] for i in range(textpage.count_chars()) if not textpage.get_text_range(i, 1).isspace()]


@pytest.mark.parametrize("edition", ["2020-09.zh.pdf", "2020-09.en.pdf"])
def test_a_wide_figure_stands_under_the_text_above_it_not_apart(build_of, edition):
    """On the page where grain-harvest ends, its wide chart was set at the foot, 90 mm of white
    under the article's last lines (press/floats.py close_up_last_page). A wide figure is never
    more than three body lines under the text above it."""
    pdf = build_of("2020-09") / edition
    found = wide_figures(pdf)
    assert found, "2020-09's wide chart was not found"
    line = 14.0  # pt: the body line of 2020-09 (styles/press.css)
    for page, figure in found:
        above = [bottom for bottom in _char_bottoms(pdf, page) if bottom > figure.top]
        if above:
            assert min(above) - figure.top < 3 * line, (
                f"p{page + 1}: the wide figure stands {(min(above) - figure.top) / MM:.0f} mm under the text above it")


@pytest.mark.parametrize("edition", ["2020-09.pdf", "2020-09.zh.pdf", "2020-09.en.pdf"])
def test_the_rule_over_the_notes_stands_right_above_them(build_of, edition):
    """The notes' rule is the top border of WeasyPrint's footnote area, which also holds a wide
    figure set at the foot. Where the figure is drawn up under the text (close_up_last_page), the
    rule once stayed where the figure had stood: 2020-09 p6, a rule 50 mm above the note it parts
    from the text, halfway down an emptied page. On every page with notes, the lowest rule across
    the text block stands within a few millimetres of the first note's letters."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = build_of("2020-09") / edition
    layout = report.read_layout(pdf)
    width = 176.4 * MM  # the text block's (styles/press.css, @page)
    checked = 0
    with pdfium.PdfDocument(pdf) as document:
        for page in layout.pages:
            if page.kind != "article" or not page.notes:
                continue
            top = max(g.baseline + 0.8 * g.em for g in page.notes[0].glyphs)  # the first note's letters
            rules = []
            for path in document[page.index].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
                left, bottom, right, upper = path.get_bounds()
                # WeasyPrint draws the area's border as a path the size of the area: its top edge
                # is the rule, over the notes the area holds.
                if right - left > 0.9 * width and bottom < top < upper:
                    rules.append(upper)
            assert rules, f"p{page.index + 1}: no rule over the notes"
            assert min(rules) - top < 6 * MM, (
                f"p{page.index + 1}: the rule over the notes stands {(min(rules) - top) / MM:.0f} mm above them")
            checked += 1
    assert checked >= 3  # 2020-09 has notes on most pages
