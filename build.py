#!/usr/bin/env python3
"""Build a bilingual newsletter issue: `python build.py --help`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from press.errors import PressError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description="Typeset a bilingual newsletter issue.")
    sub = parser.add_subparsers(dest="command")
    for name, text in (("pdf", "build the three PDFs"), ("check", "preflight only, no PDF")):
        p = sub.add_parser(name, help=text)
        p.add_argument("issue_dir", nargs="?", help="issue folder (default: the newest under content/)")
        if name == "pdf":
            p.add_argument("-o", "--out-dir", help="output folder (default: build/<issue-id>/)")
        p.add_argument("--strict", action="store_true", help="warnings fail the build")
    args = parser.parse_args(argv)
    command = args.command or "pdf"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(name)s: %(message)s")

    from press.config import load_config
    from press.pipeline import build, check

    try:
        cfg = load_config(getattr(args, "issue_dir", None), getattr(args, "out_dir", None), getattr(args, "strict", False))
        if command == "check":
            result = check(cfg)
            _report(result.warnings)
            print(f"{cfg.issue_dir}: ok ({len(result.warnings)} warning(s))", file=sys.stderr)
        else:
            result = build(cfg)
            _report(result.warnings)
            for path in result.outputs:
                print(path)
    except PressError as exc:
        _report(exc.problems)
        return 1
    return 0


def _report(problems) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
