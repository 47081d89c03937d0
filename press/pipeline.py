"""The build, top to bottom: reuse what is up to date, else check the issue, lay it out,
and assemble and write each PDF, yielded as soon as it is written (the bilingual issue
first: the proof is made from it, and serve publishes it, while the editions follow).

The stages (press.stages) and the typesetter load only when there is work
to do: a build whose inputs have not changed answers in a fraction of a
second from the manifest in the output folder.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from threading import Event

from . import manifest
from .article import ArticleKey
from .config import Config
from .errors import PressError, Problem, raise_errors
from .session import Session


@dataclass(frozen=True)
class Built:
    """One finished PDF of the issue, as `build` yields them: the bilingual issue first."""
    issue_id: str
    path: Path
    warnings: tuple[Problem, ...]  # every problem said so far (a reused build's: all it said)
    first_pages: dict[ArticleKey, int]  # printed page of each article's opening in the bilingual issue
    page_keys: tuple[str, ...]  # of the bilingual issue: equal keys, equal pages
    # of the bilingual issue: each article's blocks by source line → printed page (the reading view)
    block_pages: dict[ArticleKey, dict[int, int]] = field(default_factory=dict)
    reused: bool = False
    checked: object = None  # press.stages.Checked, when this build loaded the issue
    proof: Path | None = None  # the proof's index, when `proof` wrote it from this PDF
    # A preview (build(preview=True)): the bilingual issue as laid out, before its PDF is put
    # together and written to `path`; its Built, written, follows.
    layout: object = None  # press.edition.EditionLayout


@dataclass(frozen=True)
class Compared:
    outputs: list[Built]
    diffs: list  # of press.visual.PdfDiff
    report: Path


def build(cfg: Config, session: Session, stop: Event | None = None, preview: bool = False,
          before_work: Callable[[], None] | None = None) -> Iterator[Built]:
    """Build the issue's PDFs, or reuse them, and yield each as soon as it is written: the
    bilingual issue first, so that a preview need not wait for the editions. The build is
    recorded for reuse after the last one. `stop`, once set (serve: a newer edit was saved),
    stops the build at its next step (press.stages.Stopped): what was written stays, nothing
    is recorded. With `preview`, a build that lays the issue out yields it first as laid out
    (Built.layout), before any PDF is put together. `before_work` is called before a build that is
    not reused loads its stages (the command line sets up its log there: logging alone was 5 ms of
    a warm build's 90)."""
    session.new_build()
    stamp = _fingerprint(cfg, session)
    if (found := manifest.recorded(cfg.issue_dir, cfg.out_dir, cfg.cache_dir, stamp)) is not None:
        issue_id, out_dir, previous = found
        # Recorded relative to the issue folder: the same sources in another folder are said where they are now.
        warnings = tuple(Problem(cfg.issue_dir / p, line, message, severity, *code)
                         for p, line, message, severity, *code in previous["warnings"])
        first_pages = {ArticleKey.named(name): page for name, page in previous.get("first_pages", {}).items()}
        block_pages = {ArticleKey.named(name): dict(map(tuple, lines)) for name, lines in previous.get("block_pages", {}).items()}
        for name in previous["outputs"]:  # in the order they were written
            yield Built(issue_id, out_dir / name, warnings, first_pages,
                        tuple(previous.get("page_keys", [])), block_pages, reused=True)
        return
    if before_work is not None:
        before_work()
    yield from _build(cfg, session, stamp, stop, preview)


def _build(cfg: Config, session: Session, stamp: str, stop: Event | None, preview: bool) -> Iterator[Built]:
    # The stages and the typesetter load only here: a build reused above never pays for them.
    from .typeset import Typesetting

    _load_shared_modules()
    with Typesetting(cfg, session) as typesetting:  # its workers import WeasyPrint while the stages load
        # Loaded once the workers are forked, which never use them: each worker would otherwise
        # start with their pages resident (jinja2, markdown-it, pypdf: this process's 24 MB became
        # 45 MB), and the tree's memory counts them three times.
        from .preflight import parse

        parsed = parse(cfg.issue_dir, session)
        if not parsed.fails(cfg.strict) and not manifest.built_before(cfg.cache_dir, stamp):
            # The first worker imports WeasyPrint from here, while the other stages load and the
            # check ends: a build whose sources fail to parse, as most bad inputs do, never pays for it.
            # Nor does one of inputs built before with this cache (the outputs deleted, or another
            # output folder), whose parts all come from the cache: its worker, killed unused, had
            # imported WeasyPrint for nothing (0.35 CPU-s). Should a part be missing all the same,
            # handing it to the worker starts it.
            typesetting.start()
        from .edition import make_pdf, page_keys
        from .output import write_atomically
        from .stages import check, lay_out_issue, press_name, press_pdf_of, printed_note_problems, stop_if

        _spare_the_collector(session)
        checked = check(cfg, session, parsed)
        laid = lay_out_issue(cfg, session, checked, typesetting, stop)
    issue, bilingual = checked.issue, laid.layouts[0]
    out_dir = cfg.output_dir(issue.id)
    _no_folder_in_the_way(out_dir, [layout.edition.filename for layout in laid.layouts]
                          + ([press_name(issue)] if laid.press else []))
    first_pages, keys = bilingual.first_pages, tuple(page_keys(bilingual))
    warnings, written = list(laid.warnings), {}
    if preview:
        yield Built(issue.id, out_dir / bilingual.edition.filename, tuple(warnings), first_pages, keys,
                    bilingual.block_pages, checked=checked, layout=bilingual)

    def write(name: str, pdf: bytes) -> Built:
        path = write_atomically(out_dir / name, pdf)
        written[name] = hashlib.sha256(pdf).hexdigest()
        return Built(issue.id, path, tuple(warnings), first_pages, keys, bilingual.block_pages, checked=checked)

    # One after the other: assembly is pure Python (the GIL allows no gain from threads), and
    # one document in memory at a time keeps the peak low on a 200-page issue.
    for layout in laid.layouts:
        stop_if(stop)
        pdf = make_pdf(layout, session, lambda: stop_if(stop)).pdf
        raise_errors(printed_note_problems(laid, layout, pdf))  # every note of the sources is in it
        yield write(layout.edition.filename, pdf)
    if laid.press is not None:
        stop_if(stop)
        pdf, found = press_pdf_of(cfg, session, checked, laid.press)
        warnings += found
        if pdf is not None:
            yield write(press_name(issue), pdf)
    # An image too coarse for print withholds the press PDF alone: the reading PDFs are written,
    # then the build fails, unrecorded, so that the next run says the same.
    raise_errors(warnings, cfg.strict)
    # A damaged cache entry was made again by this build: a build that reuses its PDFs has nothing to say of it.
    cache = Path(cfg.cache_dir).resolve()
    said = [p for p in warnings if not p.path.resolve().is_relative_to(cache)]
    manifest.record(out_dir, stamp, written,
                    [[os.path.relpath(p.path, cfg.issue_dir), p.line, p.message, p.severity, p.code] for p in said],
                    {key.name: page for key, page in first_pages.items()}, list(keys),
                    {key.name: sorted(lines.items()) for key, lines in bilingual.block_pages.items()})
    manifest.remember_built(cfg.cache_dir, stamp)


# What WeasyPrint in the workers loads and this process's stages load too (preflight, the font
# subsetter), or cost little here (uuid). Loaded before the workers are forked, they are loaded once, not once here
# and once in the workers: WeasyPrint's import in the first worker fell from 0.46 to 0.41 CPU-s. The
# tree's memory is the same: each process holds them either way.
SHARED_MODULES = ("PIL.Image", "fontTools.ttLib", "uharfbuzz", "uuid")


def _load_shared_modules() -> None:
    import importlib

    for name in SHARED_MODULES:
        importlib.import_module(name)
    # Pillow's common image plugins (JPEG, PNG...), which it imports at its first Image.open: this
    # process's preflight opens the issue's images, and each worker the images it sets (fetch.py,
    # WeasyPrint), so that this process and each worker that set an image paid for it (0.007-0.017
    # CPU-s each: two of the three in a cold build of 2020-02), where this one alone does now.
    from PIL import Image

    Image.preinit()


def _no_folder_in_the_way(out_dir: Path, names: list[str]) -> None:
    """Said before any PDF is written: the others would be new and that one old."""
    for name in names:
        if (out_dir / name).is_dir():
            raise PressError.at(out_dir / name, None, "is a folder: the output cannot be written there", code="output.folder")


def _spare_the_collector(session: Session) -> None:
    """The stages' modules, loaded, live as long as the process: out of the garbage collector's
    sight, so that its full collections walk only what the build made (once per session: serve's
    later builds leave objects that may become garbage). In a cold build of 2020-02, 0.42 s of
    collections in this process became 0.19-0.31 s (gc.callbacks, at load 15). Collecting the
    youngest generation less often as well (every 20,000 allocations) saved 0.05 CPU-s more
    but raised the 200-page issue's peak from 296 to 310 MB: not done."""
    if not session.frozen:
        gc.freeze()
        session.frozen = True


def proof(cfg: Config, session: Session, stop: Event | None = None, draft: bool = True,
          early: bool = False, tell: Callable[[str, list[str]], None] | None = None) -> Iterator[Built]:
    """Build, and write the HTML proof (build/<issue-id>/proof/index.html) from the bilingual PDF
    as soon as it is written: yields each PDF as `build` does, the first with its `proof`, and
    links each later one into the proof folder. `stop`: as for build. With `draft`, a build
    stopped by a layout error still writes its proof, each fault marked on its page (serve
    keeps its last good proof instead, under the errors). With `early` (serve), the proof is
    drawn from the bilingual issue as laid out, before any PDF is put together, and yielded
    first (Built.layout set); the PDFs follow. `tell`: told of the proof before its pages are all
    drawn (press.proof.make_proof: serve's open tabs)."""
    from .stages import LayoutFailed

    try:
        for built in _proof_steps(cfg, session, stop, early, tell):
            yield built
    except LayoutFailed as exc:
        if draft:
            _write_draft_proof(cfg, session, exc)
        raise


def _proof_steps(cfg: Config, session: Session, stop: Event | None, early: bool,
                 tell: Callable[[str, list[str]], None] | None = None) -> Iterator[Built]:
    from .stages import stop_if

    index, notes = None, ()
    for built in build(cfg, session, stop, preview=early):
        if index is None:
            stop_if(stop)  # a newer edit: its proof, not this one, is worth rasterising
            index, notes = _write_proof(cfg, session, built, tell)
            built = replace(built, proof=index)
        else:
            from .proof import link_pdfs

            link_pdfs([built.path], index.parent)  # an edition, written after the proof
        yield replace(built, warnings=built.warnings + notes)


def _write_proof(cfg: Config, session: Session, built: Built,
                 tell: Callable[[str, list[str]], None] | None = None) -> tuple[Path, tuple[Problem, ...]]:
    """The proof's index, and the damaged cache entries (font subsets) found on the way."""
    from .fonts import subset_fonts
    from .proof import LaidOutPages, PdfPages, make_proof
    from .stages import characters, check as run_check

    checked = built.checked or run_check(cfg, session)  # the reading view: the articles' HTML, as typeset
    subset = []

    def fonts() -> dict[str, bytes]:  # made once the pages are being drawn
        subset.append(subset_fonts(cfg.fonts_dir, characters(checked.issue, checked.bodies.values(), cfg.templates_dir),
                                   cfg.cache_dir, session))
        return subset[0].files

    pages = LaidOutPages(built.layout) if built.layout is not None else PdfPages(built.path)
    index = make_proof(checked.issue, checked.bodies, pages, built.path.parent, built.first_pages, built.block_pages,
                       list(built.page_keys), cfg.templates_dir, fonts, built.path.parent / "proof",
                       list(built.warnings), session, tell=tell)
    return index, subset[0].notes


def _write_draft_proof(cfg: Config, session: Session, failed) -> None:
    """The proof of a build stopped by a layout error, from the bilingual issue as set, each fault
    marked on its page; the draft PDF goes in the proof folder alone, never among the outputs."""
    from .edition import make_pdf, page_keys
    from .fonts import subset_fonts
    from .output import make_folder, write_atomically
    from .proof import PdfPages, make_proof
    from .stages import characters

    draft, checked = failed.draft, failed.checked
    proof_dir = make_folder(cfg.output_dir(checked.issue.id) / "proof")
    pdf = write_atomically(proof_dir / "draft.pdf", make_pdf(draft, session).pdf, durable=False)
    make_proof(checked.issue, checked.bodies, PdfPages(pdf), proof_dir, draft.first_pages, draft.block_pages,
               page_keys(draft), cfg.templates_dir,
               lambda: subset_fonts(cfg.fonts_dir, characters(checked.issue, checked.bodies.values(), cfg.templates_dir),
                                    cfg.cache_dir, session).files,
               proof_dir, failed.problems, session, failed.faults)


def check(cfg: Config, session: Session):
    from .stages import check as run_check

    return run_check(cfg, session)


def compare(cfg: Config, session: Session) -> Compared:
    """Build, then compare every page with the approved baselines of the issue."""
    from .visual import compare_pdf, write_report

    outputs = list(build(cfg, session))
    runs = []
    for built in outputs:
        pdf = built.path
        baseline = cfg.baselines_dir / built.issue_id / pdf.stem
        if not baseline.is_dir():
            raise PressError.at(baseline, None, "no approved pages to compare with: run 'python build.py baseline' first", code="baseline.missing")
        runs.append((compare_pdf(pdf, baseline), pdf, baseline))
    report = write_report(runs, cfg.output_dir(outputs[0].issue_id) / "visual-diff")
    return Compared(outputs, [diff for diff, _, _ in runs], report)


def accept(cfg: Config, session: Session) -> list[Path]:
    """Build, then make the current pages the approved baselines (never done implicitly)."""
    from .visual import write_baselines

    folders = []
    for built in list(build(cfg, session)):
        folder = cfg.baselines_dir / built.issue_id / built.path.stem
        write_baselines(built.path, folder)
        folders.append(folder)
    return folders


def _fingerprint(cfg: Config, session: Session) -> str:
    """Everything that can change the PDFs (manifest.stamp)."""
    from .fonts import font_files

    return manifest.stamp(cfg.issue_dir, cfg.templates_dir, cfg.styles_dir, cfg.fonts_dir, font_files(cfg.fonts_dir),
                          cfg.cache_dir, manifest.options(cfg.strict, cfg.source_date, cfg.press),
                          cfg.press_profile if cfg.press else None, session.digests)
