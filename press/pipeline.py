"""The build as the command line sees it: reuse what is up to date, else run the stages.

The stages (press.stages) and the typesetter load only when there is work
to do: a build whose inputs have not changed answers in a fraction of a
second from the manifest in the output folder.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import manifest
from .config import CODE, Config
from .errors import PressError, Problem, raise_errors


@dataclass(frozen=True)
class Built:
    issue_id: str
    outputs: list[Path]
    warnings: list[Problem]
    first_pages: dict[str, int]  # "slug.lang" → printed page of its opening in the bilingual issue
    page_keys: list[str]  # of the bilingual issue: equal keys, equal pages
    reused: bool = False
    checked: object = None  # press.stages.Checked, when this build loaded the issue


@dataclass(frozen=True)
class Compared:
    built: Built
    diffs: list  # of press.visual.PdfDiff
    report: Path


def build(cfg: Config, first: Callable[[Built], None] | None = None,
          interrupt: Callable[[], None] = lambda: None) -> Built:
    """Build the issue's PDFs, or reuse them. `first`, when given, is called once the bilingual
    issue is written, while the editions are still being assembled: a preview need not wait.
    `interrupt` is called between the steps of a build and may raise to abandon it (serve, for
    a newer edit): what was written stays, nothing is recorded for reuse."""
    stamp = _fingerprint(cfg)
    issue_id = manifest.issue_id(cfg.issue_dir, Path(cfg.cache_dir) / "issue-ids.json")
    if issue_id is not None and (previous := manifest.reuse(cfg.output_dir(issue_id), stamp)):
        # Recorded relative to the issue folder: the same sources in another folder are said where they are now.
        warnings = [Problem(cfg.issue_dir / p, line, message, severity, *code)
                    for p, line, message, severity, *code in previous["warnings"]]
        return Built(issue_id, [cfg.output_dir(issue_id) / name for name in previous["outputs"]], warnings,
                     previous.get("first_pages", {}), previous.get("page_keys", []), reused=True)

    from .typeset import Typesetting

    with Typesetting(cfg) as typesetting:  # its workers import WeasyPrint while the stages load
        from .output import write_outputs
        from .stages import make

        _spare_the_collector()

        written: dict[str, Path] = {}

        def write_first(made) -> None:
            written.update(zip(made.pdfs, write_outputs(cfg.output_dir(made.issue_id), made.pdfs)))
            first(Built(made.issue_id, list(written.values()), made.warnings, made.first_pages, made.page_keys,
                        checked=made.checked))

        made = make(cfg, typesetting, write_first if first else None, interrupt)
    out_dir = cfg.output_dir(made.issue_id)
    rest = {name: pdf for name, pdf in made.pdfs.items() if name not in written}
    written.update(zip(rest, write_outputs(out_dir, rest)))
    outputs = [written[name] for name in made.pdfs]
    # Only the press PDF can have been held back (press.stages.make): the reading PDFs are written,
    # then the build fails, unrecorded, so that the next run says the same.
    raise_errors(made.warnings, cfg.strict)
    # A damaged cache entry was made again by this build: a build that reuses its PDFs has nothing to say of it.
    cache = Path(cfg.cache_dir).resolve()
    said = [p for p in made.warnings if not p.path.resolve().is_relative_to(cache)]
    manifest.record(out_dir, stamp, made.pdfs,
                    [[os.path.relpath(p.path, cfg.issue_dir), p.line, p.message, p.severity, p.code] for p in said],
                    made.first_pages, made.page_keys)
    return Built(made.issue_id, outputs, made.warnings, made.first_pages, made.page_keys, checked=made.checked)


@lru_cache(maxsize=1)
def _spare_the_collector() -> None:
    """The stages' modules, loaded, live as long as the process: out of the garbage collector's
    sight, so that its full collections walk only what the build made (once: serve's later
    builds leave objects that may become garbage). In a cold build of 2020-02, 0.42 s of
    collections in this process became 0.19-0.31 s (gc.callbacks, at load 15). Collecting the
    youngest generation less often as well (every 20,000 allocations) saved 0.05 CPU-s more
    but raised the 200-page issue's peak from 296 to 310 MB: not done."""
    gc.freeze()


def proof(cfg: Config, published: Callable[[], None] | None = None,
          interrupt: Callable[[], None] = lambda: None) -> tuple[Built, Path]:
    """Build, then write the HTML proof from the bilingual PDF: build/<issue-id>/proof/index.html.
    With `published`, the proof is written as soon as the bilingual PDF is, and `published` is
    called then; the build goes on with the editions. `interrupt`: as for build."""
    early: list[tuple[Path, tuple[Problem, ...]]] = []

    def write_early(built: Built) -> None:
        interrupt()  # a newer edit: its proof, not this one, is worth rasterising
        early.append(_write_proof(cfg, built))
        published()

    from .stages import LayoutFailed

    try:
        built = build(cfg, write_early if published else None, interrupt)
    except LayoutFailed as exc:
        if published is None:  # the proof command (serve keeps its last good proof, under the errors)
            _write_draft_proof(cfg, exc)
        raise
    if early:
        from .proof import link_pdfs

        link_pdfs(built.outputs, early[0][0].parent)  # the editions, written after the early proof
    index, notes = early[0] if early else _write_proof(cfg, built)
    return replace(built, warnings=[*built.warnings, *notes]), index


def _write_proof(cfg: Config, built: Built) -> tuple[Path, tuple[Problem, ...]]:
    """The proof's index, and the damaged cache entries (font subsets) found on the way."""
    from .fonts import subset_fonts
    from .proof import make_proof
    from .stages import characters, check as run_check

    checked = built.checked or run_check(cfg)  # the reading view: the articles' HTML, as typeset
    fonts = subset_fonts(cfg.fonts_dir, characters(checked.issue, checked.bodies.values(), cfg.templates_dir), cfg.cache_dir)
    out_dir = cfg.output_dir(built.issue_id)
    return make_proof(checked.issue, checked.bodies, out_dir / f"{built.issue_id}.pdf", built.first_pages,
                      built.page_keys, cfg.templates_dir, fonts.files, out_dir / "proof", built.warnings), fonts.notes


def _write_draft_proof(cfg: Config, failed) -> None:
    """The proof of a build stopped by a layout error, from the bilingual issue as set, each fault
    marked on its page; the draft PDF goes in the proof folder alone, never among the outputs."""
    from .fonts import subset_fonts
    from .output import make_folder, write_atomically
    from .proof import make_proof
    from .stages import characters

    draft, checked = failed.draft, failed.draft.checked
    proof_dir = make_folder(cfg.output_dir(draft.issue_id) / "proof")
    pdf = write_atomically(proof_dir / "draft.pdf", next(iter(draft.pdfs.values())), durable=False)
    fonts = subset_fonts(cfg.fonts_dir, characters(checked.issue, checked.bodies.values(), cfg.templates_dir), cfg.cache_dir)
    make_proof(checked.issue, checked.bodies, pdf, draft.first_pages, draft.page_keys, cfg.templates_dir, fonts.files,
               proof_dir, failed.problems, failed.faults)


def check(cfg: Config):
    from .stages import check as run_check

    return run_check(cfg)


def compare(cfg: Config) -> Compared:
    """Build, then compare every page with the approved baselines of the issue."""
    from .visual import compare_pdf, write_report

    built = build(cfg)
    runs = []
    for pdf in built.outputs:
        baseline = cfg.baselines_dir / built.issue_id / pdf.stem
        if not baseline.is_dir():
            raise PressError.at(baseline, None, "no approved pages to compare with: run 'python build.py baseline' first", code="baseline.missing")
        runs.append((compare_pdf(pdf, baseline), pdf, baseline))
    report = write_report(runs, cfg.output_dir(built.issue_id) / "visual-diff")
    return Compared(built, [diff for diff, _, _ in runs], report)


def accept(cfg: Config) -> list[Path]:
    """Build, then make the current pages the approved baselines (never done implicitly)."""
    from .visual import write_baselines

    built = build(cfg)
    folders = []
    for pdf in built.outputs:
        folder = cfg.baselines_dir / built.issue_id / pdf.stem
        write_baselines(pdf, folder)
        folders.append(folder)
    return folders


def _fingerprint(cfg: Config) -> str:
    """Everything that can change the PDFs: the issue's sources and images, templates, styles,
    fonts, code, installed packages and libraries (manifest.environment), options. Only the
    files a build reads are read, and no link is followed out of the issue folder or the
    project folder (the fonts' own folder, fonts/cjk, may be a link elsewhere: the build reads it)."""
    from .fonts import CJK_DIR, font_files

    project = cfg.templates_dir.parent
    groups = [(cfg.issue_dir, manifest.issue_files(cfg.issue_dir))]
    groups += [(folder, manifest.walk(folder, [project])) for folder in (cfg.templates_dir, cfg.styles_dir)]
    groups += [(cfg.fonts_dir, font_files(cfg.fonts_dir)), (CODE, manifest.walk(CODE, [CODE]))]
    roots = [cfg.issue_dir, project, cfg.fonts_dir / CJK_DIR, CODE]
    if cfg.press:  # the printing condition's profile, wherever PRESS_ICC_PROFILE puts it
        groups.append((cfg.press_profile.parent, [cfg.press_profile]))
        roots.append(cfg.press_profile.parent)
    return manifest.fingerprint(groups, (cfg.strict, cfg.source_date, cfg.press), roots,
                                Path(cfg.cache_dir) / "digests.json")
