"""The page rules of press/pagerules.py (clreq for Chinese, hyphenation and word spacing for
English, widows and orphans), checked on every page of the three built PDFs of 2020-02 and of the sample issue 2020-06."""

from __future__ import annotations

import re
import statistics

import pypdfium2 as pdfium
import pytest


from press.pagerules import HALF_BLANK_MARKS, HYPHENS, check_pdf, measure_pdf, read_lines  # noqa: E402

PDF_CASES = [(issue_id, f"{issue_id}{suffix}") for issue_id in ("2020-02", "2020-06") for suffix in (".pdf", ".zh.pdf", ".en.pdf")]


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_every_page_keeps_the_rules(build_of, issue_id, name):
    problems = [f"p{page} {rule}: {problem}" for page, rule, problem in check_pdf(build_of(issue_id) / name)]
    assert problems == []


def test_the_rules_had_something_to_check(built):
    """A clean report means something only if the pages hold what the rules look at."""
    seen = {"Han–Western boundaries": 0, "punctuation pairs": 0, "hyphenated line ends": 0, "word spaces": 0}
    pdf = built / "2020-02.pdf"
    for index in range(len(pdfium.PdfDocument(pdf))):
        for line in read_lines(pdf, index):
            text = "".join(g.char for g in line)
            visible = re.sub(r"\s", "", text)
            seen["Han–Western boundaries"] += len(re.findall(r"[\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u4e00-\u9fff]", visible))
            seen["punctuation pairs"] += sum(a in HALF_BLANK_MARKS and b in HALF_BLANK_MARKS for a, b in zip(visible, visible[1:]))
            seen["hyphenated line ends"] += len(visible) > 1 and visible[-1] in HYPHENS and visible[-2].isalpha()
            seen["word spaces"] += len(re.findall(r"[A-Za-z] +[A-Za-z]", text))
    assert seen["Han–Western boundaries"] > 100, seen
    assert seen["punctuation pairs"] > 30, seen
    assert seen["hyphenated line ends"] > 10, seen
    assert seen["word spaces"] > 500, seen


@pytest.mark.parametrize("issue_id, name", [(i, n) for i, n in PDF_CASES if not n.endswith(".zh.pdf")])
def test_english_word_spaces_are_even(build_of, issue_id, name):
    """Issue 16's targets, read from the printed page: at most 1 % of the justified English
    lines have a word space over 0.6 em, and the median word space lies between 0.25 and
    0.35 em (a space of the face is about 0.26 em)."""
    m = measure_pdf(build_of(issue_id) / name)
    assert m.english_lines > 50, m.english_lines  # the articles' body, not a stray line
    assert len(m.loose) <= 0.01 * m.english_lines, m.loose
    assert 0.25 <= statistics.median(m.spaces) <= 0.35, statistics.median(m.spaces)
    assert m.longest_hyphen_run <= 2
