"""Random front matter and Markdown: the loader and renderer answer with problems, never a crash."""

from __future__ import annotations

import shutil
import string
import sys
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ISSUE, ROOT

sys.path.insert(0, str(ROOT))
from press.errors import PressError  # noqa: E402
from press.issue import load_article, load_issue  # noqa: E402
from press.markup import to_html  # noqa: E402
from press.render import Renderer  # noqa: E402

KEYS = ["title", "subtitle", "author", "source", "date", "abstract", "abstract_en", "editorial_title", "titel", "", "[x]"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                    st.dates().map(str), st.just("2020-13-45"))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=6)
front_matter = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
markdown_bits = st.sampled_from([
    "段落文字。", "Plain text.", "\n\n", "## 标题", "### Sub", "# H1", "#### H4", "[^1]", "[^1]: note", "[^a]", "[^a]: 注释",
    "![cap](images/cover-1.jpg)", "![](images/none.png)", "![x](../x.jpg)", "![x](http://x/y.jpg)", "<script>x</script>",
    "<b>bold</b>", "[l](javascript:x)", "[l](http://example.com)", "*em*", "**strong**", "`code`", "> quote", "- item",
    "1. item", "| a | b |\n|---|---|\n| 1 | 2 |", "\\", "[", "]", "(", "---", "\t", "\u0000", "\r\n", "\ufeff", "𠮷", "😷",
])
bodies = st.lists(st.one_of(markdown_bits, st.text(alphabet=string.printable + "中文，。“”", max_size=20)), max_size=25).map("".join)


def _settings():
    return settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings()
@given(front=front_matter, body=bodies, raw_front=st.booleans())
def test_random_articles_give_problems_not_crashes(tmp_path_factory, front, body, raw_front):
    folder = tmp_path_factory.mktemp("fuzz")
    head = yaml.safe_dump(front, allow_unicode=True) if not raw_front else body[:40]
    path = folder / "a.zh.md"
    path.write_text(f"---\n{head}---\n{body}", encoding="utf-8", errors="surrogatepass")
    problems = []
    try:
        article = load_article(path, "a", "zh", problems)
    except PressError:
        return
    assert all(p.path == path and p.message for p in problems)
    if article is not None:
        result = to_html(article)
        assert all(p.message for p in result.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(st.sampled_from(["id", "title", "number", "publisher", "date", "cover", "articles", "extra"]),
                           values, max_size=7))
def test_random_issue_yaml_gives_problems_not_crashes(tmp_path_factory, doc):
    folder = tmp_path_factory.mktemp("issue")
    shutil.copytree(ISSUE, folder, dirs_exist_ok=True)
    (folder / "issue.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        issue = load_issue(folder)
    except PressError as exc:
        assert exc.problems
        return
    renderer = Renderer(ROOT / "templates")
    for article in issue.articles:
        renderer.article(issue, to_html(article))
    renderer.cover(issue, ("zh", "en"))
