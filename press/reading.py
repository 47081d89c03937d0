"""The proof's reading view: each article's aligned rows (press.parity) as HTML, with their pages.

One numbered row per aligned block, Chinese beside English, the row's
findings beside it; each block links to the page of the bilingual issue on
which it is printed, as the typesetter placed its source line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from markdown_it.token import Token
from markupsafe import Markup, escape

from .blocks import URL, Block, parser
from .errors import Problem
from .article import ArticleKey
from .issue import Issue
from .parity import Review
from .render import longdate


@dataclass(frozen=True)
class Cell:
    kind: str  # a block kind (heading, paragraph, figure, note, …) or a front-matter field
    html: Markup
    line: int
    page: int | None  # of the bilingual issue
    level: int = 0
    number: int = 0  # of a note
    id: str = ""  # of a note, which its calls link to


@dataclass(frozen=True)
class ReadingRow:
    id: str
    number: int
    zh: tuple[Cell, ...]
    en: tuple[Cell, ...]
    findings: tuple[str, ...]
    status: str  # "", "unmatched" (a side is missing) or "mismatched" (findings)


@dataclass(frozen=True)
class ReadingPair:
    slug: str
    langs: tuple[str, ...]
    rows: tuple[ReadingRow, ...]
    problems: tuple[tuple[Problem, str], ...] = ()  # each finding, and the id of its row


def row_of(pairs: list[ReadingPair]) -> dict[Problem, str]:
    """The row that shows each finding: the proof's list of warnings links to it."""
    return {problem: row_id for pair in pairs for problem, row_id in pair.problems}


def reading_view(issue: Issue, review: Review, first_pages: dict[ArticleKey, int],
                 block_pages: dict[ArticleKey, dict[int, int]]) -> list[ReadingPair]:
    pages = _PageFinder(first_pages, block_pages)
    out = []
    for pair in review.pairs:
        langs = tuple(lang for lang in ("zh", "en") if getattr(pair, lang) is not None)
        numbers = {lang: _note_numbers(pair, lang) for lang in langs}
        rows = []
        for i, row in enumerate(pair.rows, start=1):
            cells = {}
            for lang in ("zh", "en"):
                key = ArticleKey(pair.slug, lang)
                cells[lang] = tuple(_cell(b, key, numbers.get(lang, {}), pages.find(key, b)) for b in getattr(row, lang))
            findings = tuple(p.format(issue.dir) for p in row.problems)
            status = "unmatched" if len(langs) == 2 and not (row.zh and row.en) else "mismatched" if findings else ""
            rows.append(ReadingRow(f"row-{pair.slug}-{i}", i, cells["zh"], cells["en"], findings, status))
        found = tuple((p, f"row-{pair.slug}-{i}") for i, row in enumerate(pair.rows, start=1) for p in row.problems)
        out.append(ReadingPair(pair.slug, langs, tuple(rows), found))
    return out


def _note_numbers(pair, lang: str) -> dict[str, int]:
    blocks = [b for row in pair.rows for b in getattr(row, lang) if b.kind != "note"]
    return {label: i for i, label in enumerate(dict.fromkeys(r for b in blocks for r in b.refs), start=1)}


def _cell(block: Block, key: ArticleKey, numbers: dict[str, int], page: int | None) -> Cell:
    lang = key.lang
    if block.kind in ("title", "subtitle", "author", "source", "abstract", "abstract_en"):
        html = _linked(block.text)
    elif block.kind == "date":
        html = Markup(escape(longdate(dt.date.fromisoformat(block.text), lang)))
    elif block.kind == "code":
        html = Markup(f"<pre>{escape(block.text)}</pre>")
    else:
        env = {"numbers": numbers, "key": key}
        html = Markup(" | ".join(_inline(t.children or [], env) for t in block.inline) if block.kind == "row" else
                      "<br>".join(_inline(t.children or [], env) for t in block.inline))
        if block.kind == "figure":
            html = Markup(f'<img src="{escape(block.image)}" alt=""><span class="caption">{html}</span>')
    number = numbers.get(block.label, 0)
    return Cell(block.kind, html, block.line, page, block.level, number, key.note_id(number) if block.kind == "note" else "")


def _inline(children, env: dict) -> str:
    md = parser()
    out, in_link = [], 0
    for i, tok in enumerate(_joined(children)):
        if tok.type == "text":
            out.append(_linked(tok.content) if not in_link else str(escape(tok.content)))
        elif tok.type == "footnote_ref":
            n = env["numbers"].get(tok.meta["label"], 0)
            out.append(f'<sup class="call"><a href="#{env["key"].note_id(n)}">{n}</a></sup>')
        elif tok.type in ("html_inline", "image"):
            continue  # raw HTML is never shown; an image's caption is the figure's text
        else:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            out.append(md.renderer.renderInline([tok], md.options, env))
    return "".join(out)


def _joined(children):
    """The inline tokens with each run of text as one (the parse keeps an escaped character or an
    entity as a token of its own: press.blocks), so that an address is found whole."""
    out = []
    for tok in children:
        if tok.type in ("text", "text_special") and out and out[-1].type == "text":
            out[-1] = Token("text", "", 0, content=out[-1].content + tok.content)
        else:
            out.append(Token("text", "", 0, content=tok.content) if tok.type == "text_special" else tok)
    return out


def _linked(text: str) -> Markup:
    """Plain text, with its web and mail addresses clickable."""
    out, at = [], 0
    for match in URL.finditer(text):
        address = match[0].rstrip(".,;:!?")
        end = match.start() + len(address)
        href = address if "@" not in address or "://" in address else f"mailto:{address}"
        href = href if re.match(r"(https?://|mailto:)", href) else f"http://{href}"
        out.append(f'{escape(text[at:match.start()])}<a href="{escape(href)}">{escape(address)}</a>')
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


class _PageFinder:
    """The page of the bilingual issue on which a block is printed, as the typesetter found it
    (press.typeset: the page its source line starts on); the front matter is on the article's first
    page, its source (printed after the text) on the page of its last block."""

    def __init__(self, first_pages: dict[ArticleKey, int], block_pages: dict[ArticleKey, dict[int, int]]):
        self.first_pages, self.block_pages = first_pages, block_pages
        self.last: dict[ArticleKey, int] = {}

    def find(self, key: ArticleKey, block: Block) -> int | None:
        first = self.first_pages.get(key)
        if first is None:
            return None
        lines = self.block_pages.get(key, {})
        if block.kind == "source":
            return max(lines.values(), default=first)
        if block.kind in ("title", "subtitle", "author", "date", "abstract", "abstract_en"):
            return first
        # A fenced code block is set from its first line of code, the line after the fence (press.markup).
        page = lines.get(block.line, lines.get(block.line + 1) if block.kind == "code" else None)
        if page is None:  # a block the pages do not hold (nothing of it printed): where the one before is
            return self.last.get(key, first)
        if block.kind != "note":  # notes come last, each on the page of its call
            self.last[key] = page
        return page
