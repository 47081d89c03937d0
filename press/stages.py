"""The stages of a build, top to bottom: load, check, render, typeset, assemble.

press.pipeline calls this module only when there is work to do.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .config import Config
from .edition import EditionLayout, article_runs, editions, lay_out, make_pdf
from .errors import PressError, Problem, error, fails, raise_errors, warning
from .finish import read_part
from .fonts import subset_fonts
from .issue import Issue, load_issue
from .markup import ArticleHtml, note_id, to_html
from .parity import problems_of as translation_problems
from .clreq import prepare
from .preflight import preflight, press_images
from .render import LABELS, Renderer
from .typeset import TypesetPart, Typesetting


@dataclass(frozen=True)
class Checked:
    issue: Issue
    bodies: dict[tuple[str, str], ArticleHtml]
    warnings: list[Problem]


def check(cfg: Config) -> Checked:
    """Load and preflight the issue; raise every error found, return the warnings."""
    issue = load_issue(cfg.issue_dir)
    bodies = {(a.slug, a.lang): to_html(a) for a in issue.articles}
    problems = preflight(issue, bodies, cfg.fonts_dir) + translation_problems(issue)
    raise_errors(problems, cfg.strict)
    return Checked(issue, bodies, problems)


@dataclass(frozen=True)
class Made:
    issue_id: str
    pdfs: dict[str, bytes]  # file name → PDF
    warnings: list[Problem]
    first_pages: dict[str, int]  # "slug.lang" → printed page of its opening in the bilingual issue
    page_keys: list[str]  # of the bilingual issue, page by page
    checked: Checked


class LayoutFailed(PressError):
    """A build stopped by what its pages show (something wider than its column), with the bilingual
    issue as set, fault and all: the proof shows each fault on its page (press.pipeline.proof).
    The draft is never written as an output."""

    def __init__(self, problems: list[Problem], draft: Made, faults: dict[int, tuple[str, ...]]):
        super().__init__(problems)
        self.draft, self.faults = draft, faults  # faults: page of the bilingual issue → its problems, as printed


def make(cfg: Config, typesetting: Typesetting, first: Callable[[Made], None] | None = None,
         interrupt: Callable[[], None] = lambda: None) -> Made:
    """Typeset and assemble every PDF of the issue. `first`, when given, receives the bilingual
    issue alone as soon as it exists, before the editions are assembled (serve's preview).
    `interrupt` is called between steps, and may raise to abandon the build (serve, when a
    newer edit has been saved). The warnings of the returned Made may hold errors of the press
    PDF alone, which is then left out: an image too coarse for print never stops the reading PDFs."""
    checked = check(cfg)
    try:
        return _make(cfg, checked, typesetting, first, interrupt)
    except LayoutFailed as exc:
        raise LayoutFailed(exc.problems + checked.warnings, exc.draft, exc.faults) from None
    except PressError as exc:
        # What check found is said with what stopped the build later on (docs/format.md: warnings
        # are printed also when an error fails the build).
        raise PressError(exc.problems + checked.warnings) from None


def _make(cfg: Config, checked: Checked, typesetting: Typesetting, first: Callable[[Made], None] | None,
          interrupt: Callable[[], None]) -> Made:
    read_part.new_build()
    issue, bodies = checked.issue, checked.bodies
    renderer = Renderer(cfg.templates_dir)
    # An article and the short ones that continue it on its pages are one part (start: continue).
    runs = article_runs(issue, bodies)
    pages = {head: renderer.articles(issue, [bodies[key] for key in run]) for head, run in runs.items()}
    typesetting.use_fonts(subset_fonts(cfg.fonts_dir, characters(issue, pages.values(), cfg.templates_dir), cfg.cache_dir))
    # Covers do not depend on page numbers: typeset them with the articles, so that both
    # workers stay busy; the editions then find them in the part cache.
    covers = [renderer.cover(issue, e.langs) for e in editions(issue)]
    if cfg.press:
        covers.append(renderer.cover(issue, editions(issue)[0].langs, press=True))
    interrupt()
    typeset = typesetting.many(list(pages.values()) + covers)
    interrupt()
    articles = dict(zip(pages, typeset))
    press_cover = typeset[-1] if cfg.press else None
    raise_errors(_cover_problems(issue, typeset[len(pages):]) + _note_problems(runs, bodies, articles))
    # The editions lay out in threads; their typesetting runs in the worker processes.
    with ThreadPoolExecutor(max_workers=3) as threads:
        layouts = list(threads.map(lambda e: lay_out(e, issue, articles, renderer, typesetting.one, cfg.source_date),
                                   editions(issue)))
    typesetting.close()  # the workers' memory is free before the PDFs are put together
    # What WeasyPrint said (a typo in a stylesheet, an image it could not use) and the damaged cache
    # entries made again: said with the sources' warnings, failing the build as they do.
    warnings = list(checked.warnings) + typesetting.problems
    warnings += _makeup_problems(issue, runs, articles, layouts[0])
    overflows = _overflow_problems(issue, runs, articles, layouts[0])
    first_pages = {f"{slug}.{lang}": page for (slug, lang), page in layouts[0].first_pages.items()}
    if overflows:
        problems = warnings + [problem for _, problem in overflows]
        draft = Made(issue.id, {layouts[0].edition.filename: make_pdf(layouts[0]).pdf}, problems, first_pages,
                     layouts[0].page_keys, checked)
        faults: dict[int, tuple[str, ...]] = {}
        for page, problem in overflows:
            faults[page] = (*faults.get(page, ()), problem.format(cfg.issue_dir))
        raise LayoutFailed(problems, draft, faults)
    raise_errors(warnings, cfg.strict)
    # One after the other: assembly is pure Python (the GIL allows no gain from threads), and
    # one document in memory at a time keeps the peak low on a 200-page issue.
    pdfs = {}
    for layout in layouts:
        interrupt()
        pdfs[layout.edition.filename] = make_pdf(layout).pdf
        if first is not None and layout is layouts[0]:
            first(Made(issue.id, dict(pdfs), list(warnings), first_pages, layouts[0].page_keys, checked))
    if press_cover is not None:
        interrupt()
        # The press PDF is the bilingual issue with the cover typeset for bleed.
        press = replace(layouts[0], parts=[press_cover, *layouts[0].parts[1:]])
        name = f"{issue.id}.press.pdf"
        found = press_images(issue, checked.bodies, press.parts, name)
        warnings += found
        if not any(fails(p, cfg.strict) for p in found):
            # Loaded for the press PDF alone: pikepdf and the colour transforms cost every other build.
            from .inks import output_condition
            from .prepress import press_pdf

            pdfs[name] = press_pdf(make_pdf(press).pdf, press.info.title, press.info.date,
                                   output_condition(cfg.press_profile, cfg.fogra39))
    return Made(issue.id, pdfs, warnings, first_pages, layouts[0].page_keys, checked)


def _overflow_problems(issue: Issue, runs: dict, articles: dict[tuple[str, str], TypesetPart],
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


def _note_problems(runs: dict, bodies: dict[tuple[str, str], ArticleHtml],
                   articles: dict[tuple[str, str], TypesetPart]) -> list[Problem]:
    """Every note the source implies is on a page. WeasyPrint leaves out, without a word, the
    notes it finds no room for (a paragraph with hundreds of links); each typeset part lists the
    ids of what it placed, and each note has one (markup.note_id). Checked on every build, from
    the part cache too."""
    problems = []
    for head, run in runs.items():
        placed = articles[head].anchors
        for key in run:
            body = bodies[key]
            missing = [n for n in range(1, body.notes + 1) if note_id(*key, n) not in placed]
            if missing:
                problems.append(error(body.article.path, body.note_lines[missing[0] - 1],
                                      f"{len(missing)} of the {body.notes} notes of this article would not be printed, "
                                      "the first of them called here: its pages have no room for so many notes; "
                                      "spread the calls over more paragraphs", code="note.missing"))
    return problems


def _makeup_problems(issue: Issue, runs: dict, articles: dict[tuple[str, str], TypesetPart],
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
    """The article of a run whose <article> element has this id (slug-lang); else the run's first."""
    return next((a for a in (issue.article(*key) for key in run) if f"{a.slug}-{a.lang}" == element_id),
                issue.article(*run[0]))


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
