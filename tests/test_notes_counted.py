"""Every note the source implies is printed, however many (issue 23): a paragraph of 1,000 links
once built with exit 0 and only 183 of its addresses on the pages. Each build now looks for every
note's id among what the typesetter placed, and a note left out is an error at its call.

The positive half is every build test: a build of 2020-02 or 2020-06 with a note missing fails.
Here, the negative half on the real article and the real check, with the typeset part's list of
placed elements short of two notes (making WeasyPrint drop notes takes a 1,000-link paragraph
and minutes of typesetting)."""

from __future__ import annotations

import re

from conftest import ROOT

from press.issue import load_issue
from press.article import ArticleKey
from press.markup import to_html
from press.stages import _note_problems
from press.typeset import TypesetPart


def test_a_note_left_off_the_pages_is_an_error_at_its_call(issue_copy):
    issue = load_issue(issue_copy)
    key = ArticleKey("knowledge-sharing", "zh")
    article = issue.article(key.slug, key.lang)
    body = to_html(article)
    # The article's notes, from its source: five footnotes, each called once, in order, no link notes.
    calls = [n for n, line in enumerate(article.text.split("\n"), start=1)
             for _ in re.findall(r"\[\^\d+\](?!:)", line)]
    assert body.notes == len(calls) == 5
    placed = {key.note_id(n): 0 for n in range(1, body.notes + 1)}
    assert _note_problems({key: [key]}, {key: body}, {key: TypesetPart("article", b"", 1, placed)}) == []

    del placed[key.note_id(3)], placed[key.note_id(5)]
    problems = _note_problems({key: [key]}, {key: body}, {key: TypesetPart("article", b"", 1, placed)})
    assert [(p.path, p.line, p.severity, p.message) for p in problems] == [(
        article.path, calls[2], "error", "2 of the 5 notes of this article would not be printed, the first of them "
        "called here: its pages have no room for so many notes; spread the calls over more paragraphs")]


def test_each_note_of_the_html_has_its_own_id():
    """What the typeset part lists is looked up by these ids: one for each note, none twice."""
    for folder in ("2020-02", "2020-06"):
        for article in load_issue(ROOT / "content" / folder).articles:
            body = to_html(article)
            ids = re.findall(r'<span class="footnote[^"]*" id="([^"]+)"', str(body.html))
            expected = [article.key.note_id(n) for n in range(1, body.notes + 1)]
            assert sorted(ids) == sorted(expected), article.path
