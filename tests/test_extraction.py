"""Text extracts as written: Poppler's pdftotext (its plain mode, as copy and search in
Poppler-based viewers read) puts no space between two Chinese characters where the sources
have none, on any page of the three PDFs. Justification widens the gaps between Chinese
characters, and Poppler reads a gap wider than a tenth of an em as a word space unless the
run is marked with its ActualText (press/composition.py)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ISSUE
from issue_source import read_issue
from pdftext import squash

PDFS = ["2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"]
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACED = re.compile(f"[{HAN}][ \u00a0\u2004\u2005]+[{HAN}]")

META, SOURCES = read_issue(ISSUE)
# A space between two Han characters that the sources themselves have (a title's
# 积极沟通 合作共享) is text as written.
WRITTEN = {re.sub(r"\s+", " ", m) for path in ISSUE.glob("*") if path.suffix in (".md", ".yaml")
           for m in SPACED.findall(path.read_text(encoding="utf-8"))}

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="Poppler's pdftotext is installed by tools/setup.sh")


def pages(pdf) -> list[str]:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return result.stdout.split("\f")


@pytest.mark.parametrize("name", PDFS)
def test_no_space_inside_chinese_words(built, name):
    stray = [f"p{number}: {' '.join(line.split())}"
             for number, page in enumerate(pages(built / name), 1)
             for line in page.splitlines()
             if any(re.sub(r"\s+", " ", m) not in WRITTEN for m in SPACED.findall(line))]
    assert stray == [], f"{len(stray)} line(s) with a space between two Chinese characters:\n" + "\n".join(stray)


@pytest.mark.parametrize("name", ["2020-02.pdf", "2020-02.zh.pdf"])
def test_chinese_titles_extract_whole(built, name):
    """The test above could pass on a PDF whose Chinese text does not extract at all."""
    text = squash("".join(pages(built / name)))
    titles = [source.meta["title"] for source in SOURCES if source.lang == "zh"]
    assert titles and [title for title in titles if squash(title) not in text] == []
