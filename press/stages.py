"""The stages of a build before assembly: load and check the issue (check), then render,
typeset and lay out every edition (lay_out_issue), with what the pages say of the sources.

press.pipeline calls this module only when there is work to do, and assembles the PDFs.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from threading import Event

from .article import ArticleKey
from .config import Config
from .edition import EditionLayout, article_runs, editions, lay_out, make_pdf
from .errors import PressError, Problem, error, fails, raise_errors, warning
from .fonts import subset_fonts
from .issue import Issue
from .markup import ArticleHtml
from .parity import problems_of as translation_problems
from .clreq import prepare
from .preflight import Parsed, parse, preflight, press_images
from .render import LABELS, Renderer
from .session import Session
from .typeset import TypesetPart, Typesetting


@dataclass(frozen=True)
class Checked:
    issue: Issue
    bodies: dict[ArticleKey, ArticleHtml]
    warnings: list[Problem]


def check(cfg: Config, session: Session, parsed: Parsed | None = None) -> Checked:
    """Load and preflight the issue (or finish the check of one parsed already); raise every
    error found, return the warnings."""
    parsed = parsed or parse(cfg.issue_dir, session)
    issue, bodies = parsed.issue, parsed.bodies
    problems = _too_many_notes(bodies) + preflight(issue, bodies, cfg.fonts_dir, session, cfg.cache_dir) + \
        translation_problems(issue, session)
    raise_errors(problems, cfg.strict)
    return Checked(issue, bodies, problems)


@dataclass(frozen=True)
class LaidOut:
    """Every edition of the issue laid out, bilingual first, ready to be assembled."""
    layouts: list[EditionLayout]
    press: EditionLayout | None  # the bilingual issue with the cover typeset for bleed (--press)
    warnings: list[Problem]  # check's, WeasyPrint's and the page make-up's: none fails the build
    # What the finished PDFs are checked against (printed_note_problems): the runs of articles
    # set as one part, the articles' HTML and their typeset parts.
    runs: dict = field(default_factory=dict)
    bodies: dict = field(default_factory=dict)
    articles: dict = field(default_factory=dict)


class LayoutFailed(PressError):
    """A build stopped by what its pages show (something wider than its column), with the bilingual
    issue as set, fault and all: the proof shows each fault on its page (press.pipeline.proof).
    The draft is never written as an output."""

    def __init__(self, problems: list[Problem], draft: EditionLayout, checked: Checked,
                 faults: dict[int, tuple[str, ...]]):
        super().__init__(problems)
        # faults: page of the bilingual issue → its problems, as printed
        self.draft, self.checked, self.faults = draft, checked, faults

    def __reduce__(self):
        return (LayoutFailed, (self.problems, self.draft, self.checked, self.faults))


def lay_out_issue(cfg: Config, session: Session, checked: Checked, typesetting: Typesetting,
                  stop: Event | None = None) -> LaidOut:
    """Typeset every part of the issue once and lay out its editions, or raise every error
    found, with check's warnings (docs/format.md: warnings are said also when an error fails
    the build). `stop`, once set (serve: a newer edit was saved), stops the build at its next step."""
    try:
        return _lay_out(cfg, session, checked, typesetting, stop)
    except LayoutFailed as exc:
        raise LayoutFailed(exc.problems + checked.warnings, exc.draft, exc.checked, exc.faults) from None
    except PressError as exc:
        raise PressError(exc.problems + checked.warnings) from None


def _lay_out(cfg: Config, session: Session, checked: Checked, typesetting: Typesetting, stop: Event | None) -> LaidOut:
    issue, bodies = checked.issue, checked.bodies
    renderer = Renderer(cfg.templates_dir, session)
    # An article and the short ones that continue it on its pages are one part (start: continue).
    runs = article_runs(issue, bodies)
    pages = {head: renderer.articles(issue, [bodies[key] for key in run]) for head, run in runs.items()}
    typesetting.use_fonts(subset_fonts(cfg.fonts_dir, characters(issue, pages.values(), cfg.templates_dir), cfg.cache_dir,
                                       session))
    # Covers do not depend on page numbers: typeset with the articles, so that both workers stay
    # busy, and each handed to its edition (the press PDF's, run into the bleed, last).
    all_editions = editions(issue)
    covers = [renderer.cover(issue, e.langs) for e in all_editions]
    if cfg.press:
        covers.append(renderer.cover(issue, all_editions[0].langs, press=True))
    stop_if(stop)
    typeset = typesetting.many(list(pages.values()) + covers)
    stop_if(stop)
    articles, covers_set = dict(zip(pages, typeset)), typeset[len(pages):]
    raise_errors(_cover_problems(issue, covers_set) + _note_problems(runs, bodies, articles))
    # The editions lay out in threads; their typesetting runs in the worker processes.
    with ThreadPoolExecutor(max_workers=3) as threads:
        layouts = list(threads.map(lambda e, cover: lay_out(e, issue, articles, cover, renderer, typesetting.one,
                                                            cfg.source_date),
                                   all_editions, covers_set))
    typesetting.close()  # the workers' memory is free before the PDFs are put together
    # What WeasyPrint said (a typo in a stylesheet, an image it could not use) and the damaged cache
    # entries made again: said with the sources' warnings, failing the build as they do.
    warnings = list(checked.warnings) + typesetting.problems
    warnings += _makeup_problems(issue, runs, articles, layouts[0])
    overflows = _overflow_problems(issue, runs, articles, layouts[0])
    if overflows:
        faults: dict[int, tuple[str, ...]] = {}
        for page, problem in overflows:
            faults[page] = (*faults.get(page, ()), problem.format(cfg.issue_dir))
        raise LayoutFailed(warnings + [problem for _, problem in overflows], layouts[0], checked, faults)
    raise_errors(warnings, cfg.strict)
    press = replace(layouts[0], parts=[covers_set[-1], *layouts[0].parts[1:]]) if cfg.press else None
    return LaidOut(layouts, press, warnings, runs, bodies, articles)


def press_pdf_of(cfg: Config, session: Session, checked: Checked, press: EditionLayout) -> tuple[bytes | None, list[Problem]]:
    """The press PDF, and what its images say: one too coarse for print (an error) withholds the
    press PDF, never the reading PDFs."""
    found = press_images(checked.issue, checked.bodies, press.parts, press_name(checked.issue))
    if any(fails(p, cfg.strict) for p in found):
        return None, found
    # Loaded for the press PDF alone: pikepdf and the colour transforms cost every other build.
    from .inks import output_condition
    from .prepress import press_pdf

    return press_pdf(make_pdf(press, session).pdf, press.info.title, press.info.date,
                     output_condition(cfg.press_profile, cfg.fogra39)), found


def press_name(issue: Issue) -> str:
    return f"{issue.id}.press.pdf"


class Stopped(Exception):
    """A build stopped where it was, for a newer one (serve): what it wrote stays, nothing is recorded."""


def stop_if(stop: Event | None) -> None:
    if stop is not None and stop.is_set():
        raise Stopped


def _overflow_problems(issue: Issue, runs: dict, articles: dict[ArticleKey, TypesetPart],
                       issue_pdf: EditionLayout) -> list[tuple[int, Problem]]:
    """What sticks out of its column, by the page of the bilingual issue and the source line its
    element carries (a table too wide: the cell that makes it so, at its own line); each with its page."""
    problems = []
    for head, part in articles.items():
        for overflow in part.overflows:
            page = issue_pdf.first_pages[head] + overflow.page
            snippet = overflow.what[:40]
            what = f"cell {snippet!r} ({overflow.cell}) makes its table wider than its column" \
                if overflow.cell else f"{snippet!r} is wider than its column"
            problems.append((page, error(_article_of(issue, runs[head], overflow.article).path, overflow.line,
                                         f"{what} on page {page} of {issue_pdf.edition.filename}: "
                                         "break it, shorten it or make it smaller", code="layout.overflow")))
    return problems


# Notes an article may have, link notes included: each is typeset in about 15 ms (a paragraph of
# 1,000 links, both languages, builds in about 40 CPU-seconds), and the '[' limit of press/issue.py
# would let 10,000 through, minutes of work (docs/format.md, "Limits").
MAX_NOTES = 2_000


def _too_many_notes(bodies: dict[ArticleKey, ArticleHtml]) -> list[Problem]:
    return [error(body.article.path, body.note_lines[MAX_NOTES],
                  f"the article has {body.notes:,} notes (each link's address is one), more than the {MAX_NOTES:,} a "
                  "newsletter's article holds: split it into several articles", code="article.limit")
            for body in bodies.values() if body.notes > MAX_NOTES]


def _note_problems(runs: dict, bodies: dict[ArticleKey, ArticleHtml],
                   articles: dict[ArticleKey, TypesetPart]) -> list[Problem]:
    """Every note the source implies is on a page. WeasyPrint leaves out, without a word, the
    notes it finds no room for (a paragraph with hundreds of links); each typeset part lists the
    ids of what it placed, and each note has one (ArticleKey.note_id). Checked on every build, from
    the part cache too."""
    problems = []
    for head, run in runs.items():
        placed = articles[head].anchors
        for key in run:
            body = bodies[key]
            missing = [n for n in range(1, body.notes + 1) if key.note_id(n) not in placed]
            if missing:
                problems.append(error(body.article.path, body.note_lines[missing[0] - 1],
                                      f"{len(missing)} of the {body.notes} notes of this article would not be printed, "
                                      "the first of them called here: its pages have no room for so many notes; "
                                      "spread the calls over more paragraphs", code="note.missing"))
    return problems


def printed_note_problems(laid: LaidOut, layout: EditionLayout, pdf: bytes) -> list[Problem]:
    """The notes of the finished PDF, counted against its articles' sources: every note is a Note
    element of its structure tree (press/tagging.py), each named in the IDTree (press/finish.py).
    _note_problems finds a note the typesetter left out; this, one lost on any step after it.
    Where the count falls short, each part's own tree says which articles lost notes."""
    runs, bodies, articles = laid.runs, laid.bodies, laid.articles
    heads = [head for head in runs if head.lang in layout.edition.langs]
    expected = sum(bodies[key].notes for head in heads for key in runs[head])
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as finished:  # read once: not kept with the parts
        root = finished.Root.get("/StructTreeRoot")
        tree = root.get("/IDTree") if root is not None else None
        names = list(tree.get("/Names", [])) if tree is not None else []
        printed = sum(1 for value in names[1::2] if value.get("/S") == "/Note")
    if printed == expected:
        return []
    problems = []
    for head in heads:
        wanted = sum(bodies[key].notes for key in runs[head])
        with pikepdf.open(io.BytesIO(articles[head].pdf)) as part:
            found = _notes_in(part)
        if found != wanted:
            what = "this article" if len(runs[head]) == 1 else "this article and those that continue it"
            problems.append(error(bodies[head].article.path, None,
                                  f"{layout.edition.filename} prints {found} notes where the source of {what} has {wanted}",
                                  code="note.missing"))
    return problems or [error(Path(layout.edition.filename), None,
                              f"prints {printed} notes where the sources of its articles have {expected}", code="note.missing")]


def _notes_in(reader) -> int:
    """The Note elements of a PDF's structure tree."""
    import pikepdf

    root = reader.Root.get("/StructTreeRoot")
    count, stack = 0, [root] if root is not None else []
    while stack:
        kids = stack.pop().get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]) if kids is not None else []:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                count += kid.S == "/Note"
                stack.append(kid)
    return count


def _makeup_problems(issue: Issue, runs: dict, articles: dict[ArticleKey, TypesetPart],
                     issue_pdf: EditionLayout) -> list[Problem]:
    """What the page make-up could not mend (press/makeup.py), as warnings at the block's source line."""
    problems = []
    for head, part in articles.items():
        for notice in part.notices:
            page = issue_pdf.first_pages[head] + notice.page
            problems.append(warning(_article_of(issue, runs[head], notice.article).path, notice.line,
                                    f"page {page} of {issue_pdf.edition.filename}: {notice.message}", notice.code))
    return problems


def _cover_problems(issue: Issue, covers: list[TypesetPart]) -> list[Problem]:
    """The cover is one page: photos whose captions push it onto a second are an error, said once."""
    spilled = next((cover for cover in covers if cover.pages > 1), None)
    if spilled is None:
        return []
    line = issue.cover[0].line if issue.cover else None
    return [error(issue.yaml_path, line, f"the {len(issue.cover)} cover photos and their captions do not fit on the "
                  "cover page: shorten the captions or use fewer photos", code="layout.cover")]


def _article_of(issue: Issue, run: tuple, element_id: str):
    """The article of a run whose <article> element has this id (its key's anchor); else the run's first."""
    key = next((key for key in run if key.anchor == element_id), run[0])
    return issue.article(key.slug, key.lang)


# What the style sheets print of their own (list markers, leaders, separators, note markers):
# in the subset too, or the typesetter would fall back on another face for them.
GENERATED = "•◦▪0123456789.·\u2005 "


def characters(issue: Issue, pages, templates_dir: Path) -> set[str]:
    """Every character that can reach a page: the articles as rendered (after text
    preparation and the typographer, which add characters of their own), the issue's
    own fields and the templates' labels."""
    chars = set(issue.yaml_text) | set(prepare(issue.yaml_text, "zh")) | set(GENERATED)
    for page in pages:
        chars.update(page.html)
    for template in Path(templates_dir).glob("*.j2"):
        chars.update(template.read_text(encoding="utf-8"))
    for labels in LABELS.values():
        for label in labels.values():
            chars.update(label)
    return chars
