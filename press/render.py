"""Render the parts of an issue to HTML with the Jinja templates.

Each part (a cover, a contents page, an article, the running-head
overlay of an edition) is its own small HTML document, so that each can
be typeset once and reused by every PDF that contains it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .article import ArticleKey
from .clreq import prepare
from .issue import Issue
from .session import Session

if TYPE_CHECKING:
    from jinja2 import Environment

    from .markup import ArticleHtml

# Jinja and press.markup (markdown-it) are loaded where they are used, not with this module: a
# worker unpickles each job's RenderedHtml, and loaded Jinja and markdown-it (0.1 CPU-s) for it.

# The issue's languages as BCP 47 tags: for the HTML (hyphenation, fonts) and the PDF (/Lang).
LANG_TAGS = {"zh": "zh-Hans", "en": "en"}
LABELS = {
    "zh": {
        "abstract": "摘要：",
        "source": "（来源：{}）",
        "contents": "目录",
        "part": "中文",
        "photo": "图 {}：",
        "editorial_title": "（标题为编者所拟）",
    },
    "en": {
        "abstract": "Abstract: ",
        "source": "(Source: {})",
        "contents": "Contents",
        "part": "English",
        "photo": "Photo {}: ",
        "editorial_title": "(Title supplied by the editors)",
    },
}


def lang_tag(lang: str) -> str:
    """A language of the issue as its tag (templates: `lang | lang_tag`); a part in both languages
    ("mul": the bilingual cover and contents) is tagged as Chinese, the language of its masthead."""
    return LANG_TAGS.get(lang, LANG_TAGS["zh"])


def last_word(text: str) -> tuple[str, str]:
    """A contents title cut before its last word (its last two characters, in Chinese without a
    space), which the template keeps on one line with the leader: a leader never starts a line."""
    cut = max(text.rfind(" "), text.rfind("\u2004")) + 1
    if cut == 0:
        cut = max(len(text) - 2, 0)
    return text[:cut], text[cut:]


def environment(templates_dir: Path, session: Session | None = None) -> Environment:
    """The templates' Jinja environment (the parts and the proof), one per templates folder and
    session: a process that stays up (serve) compiles each template once, and Jinja compiles it
    again when its file changes. Undefined names are errors, not blank text."""
    if session is None:
        return _environment(str(templates_dir))
    return session.templates.get(str(templates_dir), lambda: _environment(str(templates_dir)))


def _environment(templates_dir: str) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from .markup import link_addresses

    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = longdate
    env.filters["prep"] = prepare
    env.filters["addresses"] = link_addresses
    env.filters["lang_tag"] = lang_tag
    env.filters["last_word"] = last_word
    return env


@dataclass(frozen=True)
class RenderedHtml:
    key: str  # names the part, e.g. "article/working-together.zh" (its articles' slugs, and their language)
    html: str
    lang: str  # "zh", "en" or "mul"
    article: ArticleKey | None = None  # a part of articles: the first of them


@dataclass(frozen=True)
class TocEntry:
    title: str
    page: int
    anchor: str


@dataclass(frozen=True)
class TocGroup:
    lang: str
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class SheetInfo:
    """What the overlay prints on one page of an edition."""

    number: int
    head: str | None
    folio: bool
    lang_tag: str


class Renderer:
    def __init__(self, templates_dir: Path, session: Session | None = None):
        self.env = environment(templates_dir, session)

    def _page(self, template: str, key: str, lang: str, body_class: str, doc_title: str,
              article: ArticleKey | None = None, **context) -> RenderedHtml:
        html = self.env.get_template(template).render(
            lang_tag=lang_tag(lang), body_class=body_class, doc_title=doc_title,
            labels_by_lang=LABELS, **context)
        return RenderedHtml(key, html, lang, article)

    def article(self, issue: Issue, body: ArticleHtml) -> RenderedHtml:
        return self.articles(issue, [body])

    def articles(self, issue: Issue, bodies: list[ArticleHtml]) -> RenderedHtml:
        """One article, or a run of them set one after another on shared pages (start: continue):
        one part, typeset together. Each keeps its id, so its opening page is known."""
        from .markup import renumber_notes

        first = bodies[0].article
        key = "+".join(b.article.slug for b in bodies)
        entries, notes = [], 0
        for b in bodies:
            entries.append({"article": b.article, "body": renumber_notes(b.html, notes), "labels": LABELS[b.article.lang]})
            notes += b.notes
        return self._page("article.html.j2", f"article/{key}.{first.lang}", first.lang, f"lang-{first.lang}",
                          first.meta.title, first.key, issue=issue, entries=entries)

    def cover(self, issue: Issue, langs: tuple[str, ...], press: bool = False) -> RenderedHtml:
        """The cover; for the press PDF (`press`), with its edge artwork run 3 mm into the bleed."""
        lang = langs[0] if len(langs) == 1 else "mul"
        return self._page("cover.html.j2", f"cover.{'-'.join(langs)}{'.press' if press else ''}", lang,
                          "cover-page press" if press else "cover-page",
                          f"{issue.title.zh} {issue.title.en}", issue=issue, langs=langs)

    def contents(self, issue: Issue, langs: tuple[str, ...], groups: list[TocGroup]) -> RenderedHtml:
        lang = langs[0] if len(langs) == 1 else "mul"
        return self._page("contents.html.j2", f"contents.{'-'.join(langs)}", lang, "contents-page",
                          " ".join(LABELS[g]["contents"] for g in langs), issue=issue, langs=langs, groups=groups)

    def overlay(self, name: str, sheets: list[SheetInfo]) -> RenderedHtml:
        return self._page("overlay.html.j2", f"overlay.{name}", "mul", "overlay", "overlay", pages=sheets)


def longdate(date: dt.date, lang: str) -> str:
    if lang == "zh":
        return f"{date.year} 年 {date.month} 月 {date.day} 日"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
