"""The command line: `press pdf|proof|serve|check|diff|baseline|translated` (installed), or `python build.py …`
(the same main, from a checkout). It parses the arguments, loads the Config once, and is the
one place that prints problems and turns them into the exit status."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # A build whose inputs have not changed is answered before argparse and the stages load
    # (press/reuse.py): they were most of its time.
    plain = _plain_pdf(argv)
    if plain is not None:
        from .reuse import reused

        answer = reused(*plain)
        if answer is not None:
            lines, pdfs = answer
            for line in lines:
                print(line, file=sys.stderr)
            for pdf in pdfs:
                print(pdf)
            return 0
    return _run(argv)


def _plain_pdf(argv: list[str]) -> tuple[str | None, str | None, bool] | None:
    """The issue folder, output folder and --strict of `pdf [ISSUE] [-o OUT] [--strict]` (in any
    order, or no argument at all) as argparse reads them; None for any other form, which argparse
    alone reads (an abbreviation, --out-dir=OUT, an option given twice, a name starting with '-')."""
    if not argv:
        return None, None, False
    if argv[0] != "pdf":
        return None
    issue = out = None
    strict = False
    rest = iter(argv[1:])
    for arg in rest:
        if arg in ("-o", "--out-dir") and out is None:
            out = next(rest, "")
            if not out or out.startswith("-"):
                return None
        elif arg == "--strict" and not strict:
            strict = True
        elif not arg or arg.startswith("-") or issue is not None:
            return None
        else:
            issue = arg
    return issue, out, strict


def _run(argv: list[str]) -> int:
    from .errors import PressError

    args = _parser().parse_args(argv)
    command = args.command or "pdf"
    if command != "pdf":
        _log_to_stderr()  # pdf: once the build has work to do (a reused build logs nothing)

    from .config import load_config
    from .pipeline import accept, build, check, compare, proof
    from .session import Session

    session = Session()  # what this run's stages keep; serve keeps it from one build to the next
    try:
        cfg = load_config(getattr(args, "issue_dir", None), getattr(args, "out_dir", None), getattr(args, "strict", False),
                          getattr(args, "press", False))
        if command == "check":
            result = check(cfg, session)
            _report(result.warnings)
            warnings = sum(p.severity == "warning" for p in result.warnings)
            print(f"{os.path.relpath(cfg.issue_dir)}: ok ({warnings} warning(s))", file=sys.stderr)
        elif command == "diff":
            result = compare(cfg, session)
            _report(result.outputs[-1].warnings)
            changed = [d for d in result.diffs if not d.passed]
            for diff in changed:
                if diff.problem:
                    print(f"{diff.name}: {diff.problem}")
                for page in diff.failed_pages:
                    print(f"{diff.name}: page {page.page} changed ({page.changed} pixels, box {page.box})")
            if changed:
                print(f"report: {result.report}")
                return 1
            print(f"no page changed ({sum(len(d.pages) for d in result.diffs)} pages compared)")
        elif command == "serve":
            return _serve(cfg, session, args.port)
        elif command == "proof":
            outputs = list(proof(cfg, session))
            _report(outputs[-1].warnings)
            print(outputs[0].proof)
        elif command == "translated":
            from .issue import load_issue
            from .translation import accept, confirm

            issue = load_issue(cfg.issue_dir)
            print(confirm(issue, args.slug) if args.accept is None else accept(issue, args.slug, args.accept))
        elif command == "baseline":
            for folder in accept(cfg, session):
                print(f"approved: {folder}")
        else:
            outputs = list(build(cfg, session, before_work=_log_to_stderr))
            _report(outputs[-1].warnings)
            for built in outputs:
                print(built.path)
    except PressError as exc:
        _report(exc.problems)
        return 1
    return 0


def _parser():
    import argparse

    from .project import DEFAULT_ISSUE

    parser = argparse.ArgumentParser(
        description="Typeset a bilingual newsletter issue.",
        epilog="Templates, styles, fonts and issues come from the project folder: the nearest folder holding "
               "templates/, styles/, fonts/ and content/, from the issue folder named, or else the current "
               "folder, up.")
    sub = parser.add_subparsers(dest="command")
    for name, text in (("pdf", "build the three PDFs"), ("check", "preflight only, no PDF"),
                       ("diff", "build, then compare every page with the approved baselines"),
                       ("baseline", "build, then approve the current pages as the baselines"),
                       ("proof", "build, then write the HTML proof (page images and a reading view)"),
                       ("serve", "the proof on 127.0.0.1, rebuilt and reloaded on every change")):
        p = sub.add_parser(name, help=text)
        p.add_argument("issue_dir", nargs="?", help=f"issue folder (default: content/{DEFAULT_ISSUE})")
        if name != "check":
            p.add_argument("-o", "--out-dir", help="output folder (default: build/<issue-id>/)")
        p.add_argument("--strict", action="store_true", help="warnings fail the build")
        if name == "pdf":
            p.add_argument("--press", action="store_true",
                           help="also write <issue-id>.press.pdf for the printer: 3 mm bleed, crop marks, PDF/X-4")
        if name == "serve":
            p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p = sub.add_parser("translated", help="record that both versions of an article say the same (ends its stale-translation warnings)")
    p.add_argument("slug", help="the article, e.g. working-together")
    p.add_argument("issue_dir", nargs="?", help=f"issue folder (default: content/{DEFAULT_ISSUE})")
    p.add_argument("--accept", type=int, metavar="LINE",
                   help="instead, accept as intended the translation warning(s) at this line of SLUG.en.md (e.g. a "
                        "deliberate rounding), until either version of that block changes")
    return parser


def _log_to_stderr() -> None:
    """What the libraries log (pypdf, fontTools: a warning of a damaged image…), as the command line says it."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(name)s: %(message)s")


def _serve(cfg, session, port: int) -> int:
    import shutil
    import signal
    import tempfile

    # Ctrl-C stops serve however it was started: a shell without job control (nohup … &, a CI
    # runner) starts it with SIGINT ignored, and Python then leaves it ignored. `kill` (SIGTERM:
    # a service manager, an editor's task runner) stops it the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # serve's temporary files in a folder of its own, removed when it stops: its typesetter's
    # copy of the faces (WeasyPrint's font configuration, 2 MB) lives as long as serve, out of
    # the collector's sight (serve._freeze), and was left in /tmp when it stopped.
    before, tempfile.tempdir = tempfile.tempdir, tempfile.mkdtemp(prefix="press-serve-")
    try:
        return _serve_in(cfg, session, port)
    finally:
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)
        tempfile.tempdir = before


def _serve_in(cfg, session, port: int) -> int:
    from .pipeline import proof
    from .serve import serve
    from .typeset import import_weasyprint, isolate_fontconfig, warm_up_between_edits

    # Import the typesetter once, here: every rebuild forks its workers from this process.
    isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
    import_weasyprint()

    def build_proof(stop):
        """The proof and the PDFs of one edit, as serve consumes them; their problems once all are written."""
        for built in proof(cfg, session, stop, draft=False, early=True, tell=stop.tell):
            yield built
        _report(built.warnings)

    serve(build_proof, [cfg.issue_dir, cfg.templates_dir, cfg.styles_dir, cfg.fonts_dir], _proof_dir(cfg), port,
          idle=lambda stop: warm_up_between_edits(session, stop))
    return 0


def _proof_dir(cfg) -> Path:
    from .manifest import issue_id

    return cfg.output_dir(issue_id(cfg.issue_dir) or cfg.issue_dir.name) / "proof"


def _report(problems) -> None:
    from .errors import sort_problems

    for problem in sort_problems(list(problems)):
        print(problem.format(), file=sys.stderr)

