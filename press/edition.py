"""Lay out one edition: cover, contents, articles, in page order.

Articles are typeset once, before any edition is laid out, and the same
typeset article goes into every edition that contains it. What depends
on the place of a page in an edition (the page numbers in the contents,
the running head and the folio) is set here, once the page counts of
the articles are known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Callable

from .finish import DocInfo, OutlineItem, assemble
from .article import ArticleKey
from .issue import LANGS, Issue
from .render import LABELS, Renderer, SheetInfo, TocEntry, TocGroup, lang_tag
from .session import Session
from .typeset import TypesetPart

Typeset = Callable[..., TypesetPart]
OVERLAY_CHUNK = 16  # pages of running heads per overlay document


@dataclass(frozen=True)
class Edition:
    name: str
    filename: str
    langs: tuple[str, ...]


@dataclass(frozen=True)
class EditionLayout:
    """Everything typeset for one edition, in page order, ready to be assembled."""

    edition: Edition
    parts: list[TypesetPart]
    overlays: list[TypesetPart]  # the running heads and folios, page after page, in chunks
    outline: list[OutlineItem]
    info: DocInfo
    anchors: dict[str, int]  # ArticleKey.anchor → 0-based page index, for the contents links
    first_pages: dict[ArticleKey, int]  # printed page number of each article's opening
    sheets: list[SheetInfo]  # one per page: what the overlay adds (see page_keys)
    # Each article's blocks by source line → the printed page each starts on (the reading view's links)
    block_pages: dict[ArticleKey, dict[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class EditionPdf:
    edition: Edition
    pdf: bytes
    first_pages: dict[ArticleKey, int]


@dataclass(frozen=True)
class PlacedArticle:
    key: ArticleKey
    title: str
    first_page: int  # page number as printed, 1 = the cover
    part: TypesetPart  # the part it is set in, with the articles of its run
    run_page: int  # the index, within the part, of the page it opens on
    first_of_run: bool  # the article the part starts with


def article_runs(issue: Issue, keys) -> dict[ArticleKey, tuple[ArticleKey, ...]]:
    """The articles of each language in issue order, grouped into runs that share pages: an
    article with `start: continue` joins the run of the article before it in its language.
    Each run is keyed by its first article and is typeset as one part."""
    runs: dict[ArticleKey, tuple[ArticleKey, ...]] = {}
    for lang in LANGS:
        head = None
        for slug in issue.slugs:
            key = ArticleKey(slug, lang)
            if key not in keys:
                continue
            if head is not None and issue.article(slug, lang).meta.start == "continue":
                runs[head] += (key,)
            else:
                head = key
                runs[head] = (head,)
    return runs


def editions(issue: Issue) -> list[Edition]:
    return [Edition("bilingual", f"{issue.id}.pdf", LANGS)] + [Edition(lang, f"{issue.id}.{lang}.pdf", (lang,)) for lang in LANGS]


def lay_out(edition: Edition, issue: Issue, articles: dict[ArticleKey, TypesetPart], cover: TypesetPart,
            renderer: Renderer, typeset: Typeset, date: dt.date | None = None) -> EditionLayout:
    """`articles`: the typeset part of each run of articles (see article_runs), by its first
    article; `cover`: the edition's typeset cover."""
    order = [key for lang in edition.langs for slug in issue.slugs if (key := ArticleKey(slug, lang)) in articles]

    # The contents page numbers depend on how long the contents are: set it
    # with a guess of its own length, and again in the rare case it was wrong.
    contents_pages = 1
    for _ in range(3):
        placed = _place(issue, order, articles, 1 + cover.pages + contents_pages)
        contents = typeset(renderer.contents(issue, edition.langs, _toc(placed, edition.langs)))
        if contents.pages == contents_pages:
            break
        contents_pages = contents.pages

    sheets = _sheets(issue, edition, cover.pages, contents.pages, placed)
    # In chunks: a small document typesets with little memory, and a chunk whose pages did
    # not change comes from the part cache.
    overlays = [typeset(renderer.overlay(f"{edition.name}.{i // OVERLAY_CHUNK}", sheets[i:i + OVERLAY_CHUNK]))
                for i in range(0, len(sheets), OVERLAY_CHUNK)]
    parts = [cover, contents] + [p.part for p in placed if p.first_of_run]
    return EditionLayout(edition, parts, overlays,
                         _outline(cover.pages, placed, edition.langs), _info(issue, edition, date or issue.date),
                         {p.key.anchor: p.first_page - 1 for p in placed},
                         {p.key: p.first_page for p in placed},
                         sheets, _block_pages(placed))


def _block_pages(placed: list[PlacedArticle]) -> dict[ArticleKey, dict[int, int]]:
    """Where the typesetter found each block of each article: its page in the part, as printed."""
    pages: dict[ArticleKey, dict[int, int]] = {p.key: {} for p in placed}
    for p in placed:
        first = p.first_page - p.run_page  # of the part
        for (anchor, line), index in p.part.lines.items():
            if anchor == p.key.anchor:
                pages[p.key][line] = first + index
    return pages


def page_keys(layout: EditionLayout) -> list[str]:
    """One key per page of the edition: equal keys, equal pages (what the proof redraws). Each page
    by what its part draws on it (TypesetPart.page_digests) and what the overlay adds (running head, folio)."""
    keys = [digest for part in layout.parts for digest in part.page_digests]
    return [hashlib.sha256(f"{key}|{sheet}".encode()).hexdigest()[:24] for key, sheet in zip(keys, layout.sheets)]


def make_pdf(layout: EditionLayout, session: Session | None = None,
             checkpoint: Callable[[], None] | None = None) -> EditionPdf:
    pdf = assemble(layout.parts, layout.overlays, layout.outline, layout.info, layout.anchors, session, checkpoint)
    return EditionPdf(layout.edition, pdf, layout.first_pages)


def _place(issue: Issue, order, articles, first_page: int) -> list[PlacedArticle]:
    """Every article of the edition with its printed opening page, runs in the order given."""
    runs = article_runs(issue, {a.key for a in issue.articles})
    placed, page = [], first_page
    for head in order:
        part = articles[head]
        for key in runs.get(head, (head,)):
            # An article that continues a run opens on the page that holds its heading.
            at = 0 if key == head else part.anchors.get(key.anchor, 0)
            placed.append(PlacedArticle(key, issue.article(key.slug, key.lang).meta.title, page + at, part, at,
                                        key == head))
        page += part.pages
    return placed


def _toc(placed: list[PlacedArticle], langs: tuple[str, ...]) -> list[TocGroup]:
    return [TocGroup(lang, tuple(TocEntry(p.title, p.first_page, p.key.anchor) for p in placed if p.key.lang == lang))
            for lang in langs]


def _sheets(issue: Issue, edition: Edition, cover_pages: int, contents_pages: int,
            placed: list[PlacedArticle]) -> list[SheetInfo]:
    sheets = [SheetInfo(n, None, False, lang_tag("mul")) for n in range(1, cover_pages + 1)]
    lang0 = edition.langs[0]
    for n in range(cover_pages + 1, cover_pages + contents_pages + 1):
        sheets.append(SheetInfo(n, None, True, lang_tag(lang0)))
    for p in (p for p in placed if p.first_of_run):
        members = [q for q in placed if q.part is p.part]
        for i in range(p.part.pages):
            n = p.first_page + i
            # Verso pages carry the newsletter, recto pages the article running at the head of the
            # page (in a run of short items, the one continued from the page before); the opening
            # page of a run has no head.
            running = [q for q in members if q.run_page < i][-1:] or [p]
            head = None if i == 0 else (f"{issue.title[p.key.lang]} {issue.number[p.key.lang]}" if n % 2 == 0 else running[0].title)
            sheets.append(SheetInfo(n, head, True, lang_tag(p.key.lang)))
    return sheets


def _outline(cover_pages: int, placed: list[PlacedArticle], langs: tuple[str, ...]) -> list[OutlineItem]:
    items = [OutlineItem(" / ".join(LABELS[lang]["contents"] for lang in langs), cover_pages)]
    for lang in langs:
        entries = tuple(OutlineItem(p.title, p.first_page - 1) for p in placed if p.key.lang == lang)
        if len(langs) > 1:
            if entries:
                items.append(OutlineItem(LABELS[lang]["part"], entries[0].page, entries))
        else:
            items.extend(entries)
    return items


def _info(issue: Issue, edition: Edition, date: dt.date) -> DocInfo:
    title = " ".join(f"{issue.title[lang]} {issue.number[lang]}" for lang in edition.langs)
    author = " / ".join(issue.publisher[lang] for lang in edition.langs) if issue.publisher else ""
    subject = " / ".join(a.meta.title for lang in edition.langs for a in issue.articles_in(lang))
    return DocInfo(title, author, subject, lang_tag(edition.langs[0]), date)
