"""The stages of a build, top to bottom: load, check, render, typeset, assemble.

press.pipeline calls this module only when there is work to do.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from pypdf import PdfReader

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
    raise_errors(warnings + _overflow_problems(issue, runs, articles, layouts[0]), cfg.strict)
    # One after the other: assembly is pure Python (the GIL allows no gain from threads), and
    # one document in memory at a time keeps the peak low on a 200-page issue.
    first_pages = {f"{slug}.{lang}": page for (slug, lang), page in layouts[0].first_pages.items()}
    pdfs = {}
    for layout in layouts:
        interrupt()
        pdfs[layout.edition.filename] = make_pdf(layout).pdf
        raise_errors(_printed_note_problems(layout, pdfs[layout.edition.filename], runs, bodies, articles))
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
                       issue_pdf: EditionLayout) -> list[Problem]:
    """What sticks out of its column, by the page of the bilingual issue and the line of the source."""
    problems = []
    for head, part in articles.items():
        for overflow in part.overflows:
            page = issue_pdf.first_pages[head] + overflow.page
            snippet = overflow.what[:40]
            article, line = _found_in(issue, runs[head], overflow.what, first=True)
            problems.append(error(article.path, line,
                                  f"{snippet!r} is wider than its column on page {page} of {issue_pdf.edition.filename}: "
                                  "break it, shorten it or make it smaller"))
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
                                      "spread the calls over more paragraphs"))
    return problems


def _printed_note_problems(layout: EditionLayout, pdf: bytes, runs: dict, bodies: dict[tuple[str, str], ArticleHtml],
                           articles: dict[tuple[str, str], TypesetPart]) -> list[Problem]:
    """The notes of the finished PDF, counted against its articles' sources: every note is a Note
    element of its structure tree (press/tagging.py), each named in the IDTree (press/finish.py).
    _note_problems finds a note the typesetter left out; this, one lost on any step after it.
    Where the count falls short, each part's own tree says which articles lost notes."""
    heads = [head for head in runs if head[1] in layout.edition.langs]
    expected = sum(bodies[key].notes for head in heads for key in runs[head])
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"].get("/StructTreeRoot")  # read once: not kept with the parts
    names = root.get_object().get("/IDTree", {}).get("/Names", []) if root is not None else []
    printed = sum(1 for value in names[1::2] if value.get_object().get("/S") == "/Note")
    if printed == expected:
        return []
    problems = []
    for head in heads:
        wanted = sum(bodies[key].notes for key in runs[head])
        found = _notes_in(read_part(articles[head].pdf))
        if found != wanted:
            what = "this article" if len(runs[head]) == 1 else "this article and those that continue it"
            problems.append(error(bodies[head].article.path, None,
                                  f"{layout.edition.filename} prints {found} notes where the source of {what} has {wanted}"))
    return problems or [error(Path(layout.edition.filename), None,
                              f"prints {printed} notes where the sources of its articles have {expected}")]


def _notes_in(reader) -> int:
    """The Note elements of a PDF's structure tree."""
    root = reader.trailer["/Root"].get("/StructTreeRoot")
    count, stack = 0, [root.get_object()] if root is not None else []
    while stack:
        kids = stack.pop().get("/K")
        for kid in (kids if isinstance(kids, list) else [kids]) if kids is not None else []:
            kid = kid.get_object()
            if isinstance(kid, dict) and "/S" in kid:
                count += kid["/S"] == "/Note"
                stack.append(kid)
    return count


def _makeup_problems(issue: Issue, runs: dict, articles: dict[tuple[str, str], TypesetPart],
                     issue_pdf: EditionLayout) -> list[Problem]:
    """What the page make-up could not mend (press/makeup.py), as warnings at the block's source line."""
    problems = []
    for head, part in articles.items():
        for notice in part.notices:
            page = issue_pdf.first_pages[head] + notice.page
            article, line = _found_in(issue, runs[head], notice.what, first=False)
            problems.append(warning(article.path, line, f"page {page} of {issue_pdf.edition.filename}: {notice.message}"))
    return problems


def _cover_problems(issue: Issue, covers: list[TypesetPart]) -> list[Problem]:
    """The cover is one page: photos whose captions push it onto a second are an error, said once."""
    spilled = next((cover for cover in covers if cover.pages > 1), None)
    if spilled is None:
        return []
    line = issue.cover[0].line if issue.cover else None
    return [error(issue.yaml_path, line, f"the {len(issue.cover)} cover photos and their captions do not fit on the "
                  "cover page: shorten the captions or use fewer photos")]


def _found_in(issue: Issue, run: tuple, what: str, first: bool):
    """The article of a run whose source holds `what` (the first such, or the last), and its line;
    else the run's first article, with no line."""
    found = [(a, line) for a in (issue.article(*key) for key in run) if (line := _line_of(a.text, what)) is not None]
    return (found[0] if first else found[-1]) if found else (issue.article(*run[0]), None)


def _line_of(text: str, what: str) -> int | None:
    """The first source line holding `what` whole, else the first holding its start. Layout
    text lacks the Markdown marks and spaces of the source, so both are compared without
    them. Whole first: a code block's line that is too wide may begin with words that an
    earlier paragraph quotes."""
    def bare(s: str) -> str:
        return re.sub(r"[\s|*_`#>\\-]", "", s)

    lines = [bare(line) for line in text.split("\n")]
    for length in (None, 30, 15, 8):
        needle = bare(what)[:length]
        for number, line in enumerate(lines, start=1):
            if needle and needle in line:
                return number
    return None


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
