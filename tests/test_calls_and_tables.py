"""Note calls and table cells, read back from the built PDF (issue 21, items 8 and 9).

The issue built here is 2020-02's front matter (its issue.yaml and cover) with, instead of its
articles, one Chinese article (tests/typo_article/) whose
paragraphs put a note's call at the end of a full line, before 。 and ：, and after 。 (lines
the paragraph composer breaks), and a heading does before ：(a line WeasyPrint breaks); and
two tables: one of short Chinese row labels beside long figures, whose cells fit the column
at their full widths, and one of five columns that cannot, with 阿波罗 11 号 and
金牛—利特罗谷 in it. A second article (table-last) ends with a table just long enough to
go to a new page, so that balancing the columns would set the table alone in one column and
its source line at the top of the other (as it does without the rule that keeps them together).
Every expectation is read from the articles' Markdown.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from conftest import ISSUE, ROOT, build_here

from press.pagerules import _visible, check_pdf, read_lines  # noqa: E402

ARTICLE = ROOT / "tests" / "typo_article"
SLUG, LAST = "typo-cases", "table-last"  # the issue's articles, in this order
HAN = r"\u3400-\u4dbf\u4e00-\u9fff"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The two articles alone, with 2020-02's cover: each article part is typeset on its own and
    opens a page of its own, so they are set as they were after the issue's articles (whose
    characters, joined to theirs, made every part's fonts new: all of 2020-02 set again, 10 CPU-s).
    2020-02's own articles are held to the same page rules by test_page_rules."""
    issue = tmp_path_factory.mktemp("issue") / "2020-02"
    issue.mkdir()
    shutil.copytree(ISSUE / "images", issue / "images")
    shutil.copy(ISSUE / "issue.yaml", issue)
    meta = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))
    meta["articles"] = [SLUG, LAST]
    for slug in (SLUG, LAST):
        shutil.copy(ARTICLE / f"{slug}.zh.md", issue)
    (issue / "issue.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = issue.parent / "out"
    result = build_here("pdf", str(issue), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def source(slug: str = SLUG) -> tuple[dict, str]:
    _, front, body = (ARTICLE / f"{slug}.zh.md").read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def tables(slug: str = SLUG) -> list[list[list[str]]]:
    """The article's tables: rows of cells, the head first (the alignment row left out)."""
    found, rows = [], []
    for line in source(slug)[1].splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            found.append(rows)
            rows = []
    return found


def article_lines(pdf: Path, slug: str = SLUG) -> list[tuple[int, list]]:
    """(page, visible glyphs) of every line on the article's pages: from the page of its title
    (set large: the contents page lists it too) to the page before the next one's title."""
    title, others = source(slug)[0]["title"], [source(s)[0]["title"] for s in (SLUG, LAST) if s != slug]
    found, inside = [], False
    for index in range(len(pdfium.PdfDocument(pdf))):
        lines = [_visible(line) for line in read_lines(pdf, index) if _visible(line)]
        titles = ["".join(g.char for g in line) for line in lines if line[0].em > 15]
        if any(title in t for t in titles):
            inside = True
        elif inside and any(o in t for t in titles for o in others):
            break
        if inside:
            found += [(index + 1, line) for line in lines]
    return found


def texts(pdf: Path, slug: str = SLUG) -> list[str]:
    return ["".join(g.char for g in line) for _, line in article_lines(pdf, slug)]


@pytest.mark.parametrize("name", ["2020-02.pdf", "2020-02.zh.pdf"])
def test_a_call_never_starts_a_line(built, name):
    """Every call of the article is printed after the character it follows, on its line; no
    line of any page starts with a call, or with the mark after one."""
    calls = re.findall(r"\[\^[^\]]+\](?!:)", source()[1])
    found = []
    for _, line in article_lines(built / name):
        for i, glyph in enumerate(line):
            if glyph.char.isdigit() and glyph.em < 0.8 * max(g.em for g in line):
                if i == 0 or not line[i - 1].char.isdigit():
                    found.append((i, "".join(g.char for g in line[max(0, i - 2):i + 2])))
    assert len(found) == len(calls), found
    assert all(i > 0 for i, _ in found), found
    assert [p for p in check_pdf(built / name) if p[1] == "note call"] == []


def test_table_cells_keep_numbers_and_terms(built):
    """In the body cells of both tables, every figure and every run of up to six Han
    characters is printed whole on one line, a number with the measure word after it
    (11 号) too. Lines are read without their spaces."""
    printed = texts(built / "2020-02.zh.pdf")
    kept = []
    for table in tables():
        for row in table[1:]:
            for cell in row:
                cell = cell.replace(" ", "")
                kept += re.findall(rf"\d[\d,.]*(?:[{HAN}](?![{HAN}]))?", cell)
                kept += re.findall(rf"(?<![{HAN}\d])[{HAN}]{{1,6}}(?![{HAN}])", cell)
    assert "11号" in kept and "利特罗谷" in kept and "技术开发" in kept
    missing = [k for k in kept if not any(k in line for line in printed)]
    assert missing == []
    # Nor does a cell's line start with a mark (—亚平宁): it breaks after one.
    assert [p for p in check_pdf(built / "2020-02.zh.pdf") if p[1] == "line start"] == []


def test_a_table_that_fits_breaks_no_body_cell(built):
    """The table of short labels and long figures fits its column at its cells' full widths:
    each body cell is printed whole on one line; only the head wraps (a unit in brackets under
    its label)."""
    printed = set(texts(built / "2020-02.zh.pdf"))  # a cell is a line of its own (pagerules.read_lines)
    cells = [cell.replace(" ", "") for row in tables()[1][1:] for cell in row]
    assert [cell for cell in cells if cell not in printed] == []


def test_the_source_line_stays_with_the_table_before_it(built):
    """An article that ends with a table: its source line is printed under the table's last
    row, in the same column of the same page."""
    meta, _ = source(LAST)
    lines = article_lines(built / "2020-02.zh.pdf", LAST)
    last_row = "".join(tables(LAST)[-1][-1][:1])
    row = next((page, line) for page, line in lines if "".join(g.char for g in line) == last_row)
    under = next((page, line) for page, line in lines if meta["source"] in "".join(g.char for g in line))
    document = pdfium.PdfDocument(built / "2020-02.zh.pdf")
    middle = sum(document[row[0] - 1].get_trimbox()[::2]) / 2
    assert under[0] == row[0], (row[0], under[0])
    assert (under[1][0].left > middle) == (row[1][0].left > middle) and under[1][0].baseline < row[1][0].baseline
