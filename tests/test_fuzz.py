"""Random front matter and Markdown: the loader and renderer answer with problems, never a crash."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ISSUE, ROOT

from press.errors import SEVERITIES, PressError  # noqa: E402
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
    article = load_article(path, "a", "zh", problems)  # never raises: an article's problems are collected
    assert_well_formed(problems, path)
    if article is None:
        assert any(p.is_error for p in problems), "an article was left out without an error"
    else:
        result = to_html(article)
        assert_well_formed(list(result.problems), path)


def assert_well_formed(problems, path: Path) -> None:
    """Each problem names this file, a line inside it (or none), a severity and a message."""
    lines = path.read_bytes().count(b"\n") + 1
    for p in problems:
        assert p.path == path and p.message and p.severity in SEVERITIES, p
        assert p.line is None or 1 <= p.line <= lines, p


@_settings()
@given(depth=st.integers(1, 4000), opener=st.sampled_from(["[", "{a: "]), in_issue=st.booleans())
def test_yaml_nested_deep_is_an_error_at_its_line(tmp_path_factory, depth, opener, in_issue):
    """Nesting is limited to 50 levels (the document's own mapping is the first): deeper is one
    error at the line of the key that holds it, never a RecursionError."""
    folder = tmp_path_factory.mktemp("deep")
    nested = opener * depth + ("]" if opener == "[" else "}") * depth
    if in_issue:
        shutil.copytree(ISSUE, folder, dirs_exist_ok=True)
        path = folder / "issue.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text + f"extra: {nested}\n", encoding="utf-8")
        key_line = text.count("\n") + 1
        try:
            problems = list(load_issue(folder).problems)
        except PressError as exc:
            problems = exc.problems
    else:
        path = folder / "a.zh.md"
        path.write_text(f"---\ntitle: 标题\nsubtitle: {nested}\n---\n正文。\n", encoding="utf-8")
        key_line = 3
        problems = []
        load_article(path, "a", "zh", problems)
    deep = [p for p in problems if "nested more than 50 levels" in p.message]
    # The document's mapping, the lists or maps, and in the innermost map the null value of 'a:'.
    levels = 1 + depth + (opener != "[")
    if levels > 50:
        assert [(p.path, p.line, p.severity) for p in deep] == [(path, key_line, "error")], problems
    else:
        assert deep == [] and problems, problems  # too shallow to refuse; an unknown or mistyped key instead


issue_docs = st.dictionaries(st.sampled_from(["id", "title", "number", "publisher", "date", "cover", "articles", "extra"]),
                             values, max_size=7)
# What load_issue is given, and whether it must raise (only when nothing can be built: issue.yaml
# is not YAML, or not a mapping), said by the kind of document: both ways are drawn every run.
documents = st.one_of(
    st.tuples(st.just("mapping"), issue_docs.map(lambda d: yaml.safe_dump(d, allow_unicode=True))),
    st.tuples(st.just("not a mapping"), st.one_of(st.lists(values, max_size=3), scalars).map(
        lambda v: yaml.safe_dump(v, allow_unicode=True))),
    st.tuples(st.just("not YAML"), issue_docs.map(lambda d: yaml.safe_dump(d, allow_unicode=True) + "broken: [\n")),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_random_issue_yaml_gives_problems_not_crashes(tmp_path_factory, document):
    kind, text = document
    folder = tmp_path_factory.mktemp("issue")
    shutil.copytree(ISSUE, folder, dirs_exist_ok=True)
    (folder / "issue.yaml").write_text(text, encoding="utf-8")
    try:
        issue = load_issue(folder)
    except PressError as exc:
        assert kind != "mapping", f"raised for a mapping: {exc.problems}"
        # One error at issue.yaml, saying why nothing can be built.
        assert_well_formed(exc.problems, folder / "issue.yaml")
        wanted = "issue.yaml must be a mapping" if kind == "not a mapping" else "YAML syntax: "
        assert [(p.severity, p.message.startswith(wanted)) for p in exc.problems] == [("error", True)], exc.problems
        return
    assert kind == "mapping", f"a document that is {kind} was loaded"
    assert_well_formed([p for p in issue.problems if p.path.name == "issue.yaml"], folder / "issue.yaml")
    renderer = Renderer(ROOT / "templates")
    for article in issue.articles:
        renderer.article(issue, to_html(article))
    renderer.cover(issue, ("zh", "en"))
