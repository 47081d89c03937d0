"""Load an issue folder (issue.yaml and its articles) into typed objects.

Every problem found is collected with its file and line, so that one run
reports all of them; an article that cannot be read is left out of the
issue rather than stopping the whole load.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .article import ArticleKey
from .errors import Problem, PressError, error, warning
from .sources import exists, folder_problem, problem

LANGS = ("zh", "en")
MAX_ARTICLE_BYTES = 1_000_000  # about 300 printed pages of Chinese: beyond this, a mistake, not an article
MAX_YAML_BYTES = 100_000
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Bilingual:
    zh: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class CoverPhoto:
    image: str
    caption: Bilingual
    line: int


@dataclass(frozen=True)
class FrontMatter:
    title: str
    subtitle: str | None = None
    author: str | None = None
    source: str | None = None
    date: dt.date | None = None
    abstract: str | None = None
    abstract_en: str | None = None
    editorial_title: bool = False
    start: str | None = None  # "continue": set after the previous article, on the same page


@dataclass(frozen=True)
class Article:
    slug: str
    lang: str
    path: Path
    meta: FrontMatter
    body: str
    body_line: int  # line of the file on which the body's first line stands
    text: str  # the whole file as read, for checks that need every character with its line
    front_lines: tuple[tuple[str, int], ...] = ()  # (key, line of the file) of each front-matter key

    def line_of(self, key: str) -> int:
        """The line of a front-matter key (the template gives it to the element it prints as)."""
        return dict(self.front_lines).get(key, 1)

    @property
    def key(self) -> ArticleKey:
        return ArticleKey(self.slug, self.lang)


@dataclass(frozen=True)
class Issue:
    dir: Path
    yaml_path: Path
    id: str
    title: Bilingual
    number: Bilingual
    publisher: Bilingual | None
    date: dt.date
    cover: tuple[CoverPhoto, ...]
    slugs: tuple[str, ...]
    articles: tuple[Article, ...]
    yaml_text: str
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def articles_in(self, lang: str) -> list[Article]:
        return [a for a in self.articles if a.lang == lang]

    def article(self, slug: str, lang: str) -> Article | None:
        return next((a for a in self.articles if a.slug == slug and a.lang == lang), None)


ISSUE_KEYS = {"id", "title", "number", "publisher", "date", "cover", "articles"}
ISSUE_REQUIRED = ("id", "title", "number", "date", "articles")
COVER_KEYS = {"image", "caption"}
FRONT_KEYS = {f for f in FrontMatter.__dataclass_fields__}
TEXT_FIELDS = ("title", "subtitle", "author", "source", "abstract", "abstract_en")


def load_issue(issue_dir: Path) -> Issue:
    """Read issue.yaml and every article it lists; raise only when nothing usable is left."""
    issue_dir = Path(issue_dir)
    yaml_path = issue_dir / "issue.yaml"
    if (why := folder_problem(issue_dir)) is not None:
        raise PressError.at(issue_dir, None, why, code="issue.folder")
    if not exists(yaml_path):
        raise PressError.at(yaml_path, None, "missing issue.yaml: every issue folder needs one", code="issue.missing")
    problems: list[Problem] = []
    text = _read_text(yaml_path, problems)
    data, lines = _parse_yaml(text, yaml_path, 1)
    if not isinstance(data, dict):
        raise PressError.at(yaml_path, 1, "issue.yaml must be a mapping of keys such as id, title and articles", code="yaml.mapping")

    def line_of(key: str) -> int:
        return lines.get(key, 1)

    _check_keys(data, ISSUE_KEYS, ISSUE_REQUIRED, yaml_path, line_of, problems, "issue.yaml")
    issue_id = _string(data.get("id"), "id", yaml_path, line_of("id"), problems) or issue_dir.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", issue_id):
        problems.append(error(yaml_path, line_of("id"), f"id {_shown(issue_id)} may hold only letters, digits, '.', '_' and '-'", code="yaml.value"))
        issue_id = issue_dir.name
    title = _bilingual(data.get("title"), "title", yaml_path, line_of("title"), problems)
    number = _bilingual(data.get("number"), "number", yaml_path, line_of("number"), problems)
    publisher = _bilingual(data.get("publisher"), "publisher", yaml_path, line_of("publisher"), problems) if "publisher" in data else None
    date = _date(data.get("date"), "date", yaml_path, line_of("date"), problems) or dt.date(1970, 1, 1)
    cover = _cover(data.get("cover", []), yaml_path, lines, problems)
    slugs = _slugs(data.get("articles"), yaml_path, line_of("articles"), problems)

    articles = []
    for slug in slugs:
        found = False
        for lang in LANGS:
            path = issue_dir / ArticleKey(slug, lang).file_name
            if exists(path):  # whatever is there: a folder or a broken link is said, not skipped
                found = True
                article = load_article(path, slug, lang, problems)
                if article is not None:
                    articles.append(article)
        if not found:
            problems.append(error(yaml_path, line_of("articles"), f"article '{slug}' is listed but has no "
                                  f"{ArticleKey(slug, 'zh').file_name} or {ArticleKey(slug, 'en').file_name}", code="article.missing"))
    for path in sorted(issue_dir.glob("*.md")):
        match = re.fullmatch(r"(.+)\.(zh|en)\.md", path.name)
        if match and match[1] not in slugs:
            problems.append(warning(path, None, f"article '{match[1]}' is not listed in issue.yaml 'articles' and is left out", code="article.unlisted"))
    return Issue(issue_dir, yaml_path, issue_id, title, number, publisher, date, tuple(cover), tuple(slugs),
                 tuple(articles), text, tuple(problems))


def load_article(path: Path, slug: str, lang: str, problems: list[Problem]) -> Article | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(error(path, 1, "missing front matter: an article starts with a '---' line, then 'title: …', then '---'", code="front.missing"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.append(error(path, 1, "front matter is not closed: add a '---' line after it", code="front.unclosed"))
        return None
    front = "\n".join(lines[1:end])
    if len(front.encode("utf-8")) > MAX_YAML_BYTES:
        # A few fields, not a text: the YAML parser (pure Python) reads a megabyte in a minute.
        problems.append(error(path, 2, f"front matter is {_size(len(front.encode('utf-8')))}, more than the "
                              f"{_size(MAX_YAML_BYTES)} it may hold: put the text in the body", code="file.size"))
        return None
    try:
        data, key_lines = _parse_yaml(front, path, 2)
    except PressError as exc:
        problems.extend(exc.problems)
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(error(path, 2, "front matter must be a mapping of keys such as 'title: …'", code="yaml.mapping"))
        return None

    def line_of(key: str) -> int:
        return key_lines.get(key, 1)

    before = len(problems)
    _check_keys(data, FRONT_KEYS, ("title",), path, line_of, problems, "front matter")
    values: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if key in data:
            values[key] = _string(data[key], key, path, line_of(key), problems)
    if "date" in data:
        values["date"] = _date(data["date"], "date", path, line_of("date"), problems)
    if "editorial_title" in data:
        if isinstance(data["editorial_title"], bool):
            values["editorial_title"] = data["editorial_title"]
        else:
            problems.append(error(path, line_of("editorial_title"), "editorial_title must be true or false", code="yaml.value"))
    if "start" in data:
        if data["start"] == "continue":
            values["start"] = "continue"
        else:
            problems.append(error(path, line_of("start"), f"start must be 'continue' (follow the previous article on "
                                  f"its page) or left out (a new page), not {str(data['start'])[:30]!r}", code="yaml.value"))
    if "abstract_en" in data and lang != "zh":
        problems.append(warning(path, line_of("abstract_en"), "abstract_en belongs in a Chinese article; here it is ignored", code="front.ignored"))
    if not values.get("title"):
        if isinstance(data.get("title"), str) or data.get("title") is None and "title" in data:
            problems.append(error(path, line_of("title"), "title is empty", code="yaml.value"))
        return None
    if len(problems) > before and any(p.is_error for p in problems[before:]):
        return None
    body = "\n".join(lines[end + 1:])
    if not body.strip():
        problems.append(error(path, end + 2, "the article has no text after its front matter", code="article.empty"))
        return None
    if (over := _over_markdown_limits(lines, end + 1)) is not None:
        problems.append(error(path, *over, code="article.limit"))
        return None
    return Article(slug, lang, path, FrontMatter(**values), body, end + 2, text,
                   tuple((key, line) for key, line in key_lines.items() if isinstance(key, str)))


# The Markdown parser (markdown-it-py, pure Python) works per block and per mark: a megabyte of
# one-word list items took it 25 CPU-s and 660 MB, one of "[^" (each a note call to try) 49 CPU-s,
# one of "*a" 15 CPU-s, the article being parsed twice (the page, the translation review). A
# newsletter's longest article has a few hundred lines and links, notes and emphases: these
# bounds keep the worst megabyte found within them under 10 CPU-s and 250 MB.
MAX_LINES = 10_000  # lines of text in an article's body (blank lines not counted)
MAX_BRACKETS = 10_000  # "[" in an article's body: each a link, image or note call to the parser
MAX_EMPHASIS = 20_000  # "*", "_" and "~" in an article's body: each a delimiter to pair
_OVER = MappingProxyType({
    "lines": f"more than {MAX_LINES:,} lines of text",
    "brackets": f"more than {MAX_BRACKETS:,} '[' (links, images and note calls)",
    "emphasis": f"more than {MAX_EMPHASIS:,} '*', '_' and '~' (emphasis marks)",
})


def _over_markdown_limits(lines: list[str], first: int) -> tuple[int, str] | None:
    """The line where the body passes a limit, and what to say there; None within them."""
    filled = brackets = emphasis = 0
    for number in range(first, len(lines)):
        line = lines[number]
        filled += bool(line) and not line.isspace()
        brackets += line.count("[")
        emphasis += line.count("*") + line.count("_") + line.count("~")
        over = next((what for what, count, limit in (("lines", filled, MAX_LINES), ("brackets", brackets, MAX_BRACKETS),
                                                      ("emphasis", emphasis, MAX_EMPHASIS)) if count > limit), None)
        if over is not None:
            return number + 1, (f"the article has {_OVER[over]}, more than a newsletter's article holds: "
                                "split it into several articles")
    return None


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    limit = MAX_YAML_BYTES if path.name == "issue.yaml" else MAX_ARTICLE_BYTES
    why = problem(path, path.parent)  # before reading: a named pipe would make us wait forever
    if why is not None:
        return _unreadable(path, problems, why, code="file.unreadable")
    size = path.stat().st_size
    if size > limit:
        return _unreadable(path, problems, f"is {_size(size)}, more than the {_size(limit)} one file may hold: split it", code="file.size")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, problems, f"cannot be read: {exc.strerror or exc}", code="file.unreadable")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a BOM from a Windows editor is harmless: drop it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(error(path, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8", code="file.encoding"))
        if path.name == "issue.yaml":
            raise PressError(problems) from None
        return None
    if "\x00" in text:
        problems.append(error(path, text[: text.index("\x00")].count("\n") + 1, "the file holds a NUL character: is it a text file?", code="file.encoding"))
        return None
    # NFC: a word typed on macOS comes decomposed (e + U+0301), which the fonts cannot draw as
    # two marks though they hold the composed letter; and the checks compare what the editor sees.
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB") if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def _unreadable(path: Path, problems: list[Problem], why: str, code: str) -> None:
    problems.append(error(path, None, why, code))
    if path.name == "issue.yaml":
        raise PressError(problems)
    return None


def read_yaml(path: Path) -> Any:
    """A YAML file that the tools write beside the articles (a translation record), read as
    issue.yaml and front matter are: within an article's size limit, as UTF-8 text, with the
    nesting and number limits of _Loader. An alias is composed once and never expanded, so a
    billion laughs costs what its few bytes cost. Raises PressError."""
    problems: list[Problem] = []
    text = _read_text(path, problems)
    if text is None:
        raise PressError(problems)
    return _parse_yaml(text, path, 1)[0]


MAX_YAML_DEPTH = 50  # lists and maps inside each other; PyYAML composes them recursively


class _TooDeep(yaml.composer.ComposerError):
    """Nesting past MAX_YAML_DEPTH: press's own words, at the same mark whichever reader met it."""


class _TooLong(yaml.constructor.ConstructorError):
    """A number past what Python converts: as _TooDeep."""


class _Limits:
    """What press adds to safe YAML: dates left as text (PyYAML's own date parsing raises plain
    ValueErrors, 2020-13-01, without a line; ours reports them at their key), nesting and numbers
    limited, with the line where each goes wrong."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _TooDeep(None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node):
        try:
            value = super().construct_yaml_int(node)
            if value.bit_length() < 14_000:  # Python writes ints of at most 4300 digits as text
                return value
        except ValueError:
            pass
        raise _TooLong(None, None, f"a number of {len(node.value)} digits is too long",
                                                node.start_mark)


class _Loader(_Limits, yaml.SafeLoader):
    """PyYAML in Python alone: its error messages are the ones the hints below know."""


if yaml.__with_libyaml__:
    class _FastLoader(_Limits, yaml.composer.Composer, yaml.cyaml.CParser, yaml.constructor.SafeConstructor,
                      yaml.resolver.Resolver):
        """libyaml's scanner and parser (4 to 5 times as fast: a 1 MB translation record in 0.7 s
        instead of 3.2), under PyYAML's own composer in Python, which keeps the nesting limit:
        libyaml's composer recurses in C and crashes the process on 100,000 nested brackets."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # a PyYAML built without libyaml (the pinned wheels have it)
    _FastLoader = _Loader


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:int", _Limits.construct_yaml_int)
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_yaml(text: str) -> Any:
    """A YAML text's value, read as issue.yaml is (libyaml's parser, press's limits), for what needs
    a value alone (press.manifest.issue_id: PyYAML in Python took 0.75 CPU-s to find an issue.yaml
    nested 20,000 deep too deep). Raises yaml.YAMLError."""
    loader = _FastLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _parse_yaml(text: str, path: Path, first_line: int) -> tuple[Any, dict[str, int]]:
    """Load YAML safely and note the line of each top-level key. Read with libyaml; a text it
    refuses is read again in Python, whose messages say what is wrong in the words the hints
    know (only within MAX_YAML_BYTES: beyond, libyaml's message stands). A limit of press's own
    (_TooDeep, _TooLong) is said in the same words at the same mark by either reader: not read
    again, for PyYAML's scanner takes quadratic time over brackets opened on one line (5,000 of
    them: 0.3 CPU-s) before its composer reaches the limit."""
    try:
        return _load(_FastLoader, text, first_line)
    except yaml.YAMLError as exc:
        fast = exc
    if len(text) <= MAX_YAML_BYTES and not isinstance(fast, (_TooDeep, _TooLong)):
        try:
            return _load(_Loader, text, first_line)
        except yaml.YAMLError as exc:
            fast = exc
    raise _yaml_problem(fast, text, path, first_line) from None


def _load(loader_type: type, text: str, first_line: int) -> tuple[Any, dict[str, int]]:
    lines: dict[str, int] = {}
    loader = loader_type(text)
    try:
        node = loader.get_single_node()  # parsed once: the nodes give the lines, then the data
        data = loader.construct_document(node) if node is not None else None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    _note_key(loader, text, key, value, first_line, lines)
    finally:
        loader.dispose()
    return data, lines


def _yaml_problem(exc: yaml.YAMLError, text: str, path: Path, first_line: int) -> PressError:
    # Where the broken construct starts (an unclosed quote or bracket), else where parsing
    # failed; a block mapping's start is the first key, not the line at fault.
    mark = getattr(exc, "context_mark", None)
    if mark is None or getattr(exc, "context", None) == "while parsing a block mapping":
        mark = getattr(exc, "problem_mark", None) or mark
    line = first_line + _line(text, mark) if mark else first_line
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = _yaml_hint(reason, text.split("\n")[line - first_line] if mark else "")
    return PressError.at(path, line, f"YAML syntax: {reason}{hint}", code="yaml.syntax")


def _yaml_hint(reason: str, line: str) -> str:
    """What an editor most likely meant, for the YAML errors that plain text in a value makes:
    a title with ': ' in it, one that starts with @ or a backquote, or text after a closing quote."""
    key = m[1] if (m := re.match(r"\s*-?\s*([^\s:#][^:]*?):(?:\s|$)", line)) else "key"
    quote = f"put the whole value in double quotes, e.g. {key}: \"…\""
    if reason == "mapping values are not allowed here":
        return f": a ': ' inside a value reads as a new key; {quote}"
    if reason in ("found character '@' that cannot start any token", "found character '`' that cannot start any token"):
        return f": YAML keeps @ and ` for itself at the start of a value; {quote}"
    if reason.startswith("expected <block end>, but found"):
        return f": text follows a closing quote or bracket; {quote} (and write a \" inside it as \\\")"
    return ""


def _line(text: str, mark) -> int:
    """The line of a mark, counted as the rest of the pipeline counts lines: YAML also breaks
    lines at U+0085, U+2028 and U+2029, which an editor shows inside a line."""
    return bisect.bisect_left(_line_starts(text), mark.index)


@lru_cache(maxsize=2)
def _line_starts(text: str) -> list[int]:
    """Where each line break of the text stands: looked up, not counted again, for each of the
    thousands of items a long list in YAML may have."""
    return [m.start() for m in re.finditer("\n", text)]


def _note_key(loader: _Limits, text: str, key: yaml.ScalarNode, value: yaml.Node, first_line: int,
              lines: dict[str, int]) -> None:
    """The line of a top-level key, under its text and under what it reads as (true: is True);
    a key given twice is an error, for YAML would keep the last value without a word."""
    line = first_line + _line(text, key.start_mark)
    names = {key.value, str(loader.construct_object(key))}
    if names & lines.keys():
        raise yaml.constructor.ConstructorError(None, None, f"key '{key.value}' is given twice: the first value would be lost",
                                                key.start_mark)
    for name in names:
        lines[name] = line
    if isinstance(value, yaml.SequenceNode):
        for i, item in enumerate(value.value):
            lines[f"{key.value}[{i}]"] = first_line + _line(text, item.start_mark)
            if isinstance(item, yaml.MappingNode):  # a cover photo's keys, for a typo said where it is
                for sub, _ in item.value:
                    if isinstance(sub, yaml.ScalarNode):
                        lines.setdefault(f"{key.value}[{i}].{sub.value}", first_line + _line(text, sub.start_mark))


def _check_keys(data: dict, known: set[str], required: tuple[str, ...], path: Path, line_of, problems: list[Problem], what: str) -> None:
    for key in data:
        if not isinstance(key, str) or key not in known:
            hint = difflib.get_close_matches(str(key), sorted(known), n=1)
            more = f": did you mean '{hint[0]}'?" if hint else f" (known keys: {', '.join(sorted(known))})"
            problems.append(error(path, line_of(str(key)), f"unknown {what} key '{key}'{more}", code="yaml.key"))
    for key in required:
        if key not in data:
            problems.append(error(path, 1, f"{what} is missing the required key '{key}'", code="yaml.required"))


def _string(value: Any, key: str, path: Path, line: int, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        problems.append(error(path, line, f"{key} must be text, not {_kind(value)}", code="yaml.value"))
        return None
    return value.strip()


def _bilingual(value: Any, key: str, path: Path, line: int, problems: list[Problem]) -> Bilingual:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), (str, int)) for lang in LANGS):
        problems.append(error(path, line, f"{key} must be a map with 'zh' and 'en' text, e.g. {key}: {{zh: …, en: …}}", code="yaml.value"))
        return Bilingual("", "")
    extra = set(value) - set(LANGS)
    if extra:
        problems.append(error(path, line, f"{key} has unknown language key(s) {', '.join(map(str, sorted(extra, key=str)))}: use zh and en", code="yaml.value"))
    return Bilingual(str(value["zh"]).strip(), str(value["en"]).strip())


def _date(value: Any, key: str, path: Path, line: int, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            pass
    problems.append(error(path, line, f"{key} must be a date written YYYY-MM-DD, not {_shown(value)}", code="yaml.value"))
    return None


def _cover(value: Any, path: Path, lines: dict[str, int], problems: list[Problem]) -> list[CoverPhoto]:
    if not isinstance(value, list):
        problems.append(error(path, lines.get("cover", 1), "cover must be a list of photos, each with image: and caption:", code="yaml.value"))
        return []
    photos = []
    for i, item in enumerate(value):
        line = lines.get(f"cover[{i}]", lines.get("cover", 1))
        keys = [key for key in item if key not in COVER_KEYS] if isinstance(item, dict) else []
        # A misspelt key (captoin) is said once, at its line, with the key it stands for; the
        # key it was meant to be is then not said to be missing as well.
        typos = {key: hint[0] for key in keys if (hint := difflib.get_close_matches(str(key), sorted(COVER_KEYS), n=1))}
        for key, meant in typos.items():
            problems.append(error(path, lines.get(f"cover[{i}].{key}", line), f"unknown cover photo key '{key}': did you mean '{meant}'?", code="yaml.key"))
        if not isinstance(item, dict) or not isinstance(item.get("image"), str):
            if "image" not in typos.values():
                problems.append(error(path, line, "a cover photo needs 'image: images/…' and 'caption: {zh: …, en: …}'", code="yaml.required"))
            continue
        if unknown := [key for key in keys if key not in typos]:
            problems.append(error(path, line, f"unknown cover photo key(s): {', '.join(sorted(map(str, unknown)))}", code="yaml.key"))
        if "caption" not in item and "caption" in typos.values():
            caption = Bilingual("", "")
        else:
            caption = _bilingual(item.get("caption"), "caption", path, line, problems)
        photos.append(CoverPhoto(item["image"], caption, line))
    return photos


def _slugs(value: Any, path: Path, line: int, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list) or not value:
        if value is not None:
            problems.append(error(path, line, "articles must be a list of article slugs, e.g. [working-together, share-solutions]", code="yaml.value"))
        return []
    slugs = []
    for slug in value:
        if not isinstance(slug, str) or not SLUG.match(slug):
            problems.append(error(path, line, f"{_shown(slug)} is not an article slug: use lower-case letters, digits and '-'", code="yaml.value"))
        elif slug in slugs:
            problems.append(error(path, line, f"article '{slug}' is listed twice", code="article.twice"))
        else:
            slugs.append(slug)
    return slugs


def _shown(value: Any) -> str:
    """A value as a message quotes it: text and numbers as written (cut short), anything else by
    its kind, for a list built of YAML aliases may print as gigabytes."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = repr(value)
        return text if len(text) <= 80 else text[:76] + "…" + text[-1]
    return _kind(value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)
