"""The answer of `python build.py pdf` when nothing changed since the last build, before anything
heavy loads.

Such a build says again the warnings of the last one and the PDFs it wrote, from the record in
the output folder (press/manifest.py). This module finds that answer with the lightest of the
standard library (os, json, hashlib, pathlib): no dataclass, no argparse, no stage. The command
line asks it first, for the plain forms of `pdf` (no --press); anything it cannot answer plainly
(no record, an input changed, an issue or output folder that is not one, an unreadable file) it
leaves to the full path, press.config and press.pipeline.build, which say what is wrong.
A warm build was 0.15 CPU-s, three quarters of it imports; this answer is Python's own start-up
and about 30 ms.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import manifest, project, report


def reused(issue_dir: str | None, out_dir: str | None, strict: bool) -> tuple[list[str], list[str]] | None:
    """The lines the build says (its warnings, in order) and the PDFs it reuses, in the order they
    were written; None when the full build must run. The same Config as press.config.load_config's,
    found the same way (press.project)."""
    root = project.find_project(issue_dir)
    if root is None:
        return None
    issue = Path(issue_dir) if issue_dir else project.default_issue(root / "content")
    cache = project.cache_dir(root)
    if issue is None or not all(os.path.isdir(folder) for folder in (issue, cache, *([out_dir] if out_dir else []))):
        return None
    fonts_dir = root / "fonts"
    fonts = project.font_files(fonts_dir)
    if fonts is None:
        return None
    try:
        stamp = manifest.stamp(issue, root / "templates", root / "styles", fonts_dir, fonts, cache,
                               manifest.options(strict, project.source_date(), False))
    except Exception as exc:  # an unreadable file: the full build says so
        from .errors import PressError

        if isinstance(exc, PressError):
            return None
        raise
    found = manifest.recorded(issue, Path(out_dir) if out_dir else None, cache, stamp)
    if found is None:
        return None
    _, folder, record = found
    # As press.errors.Problem says them (press.report), under the issue folder as named now; a
    # problem recorded twice is said once, as sort_problems says it.
    said = {(os.path.join(issue, path), line, severity, message, "".join(code))
            for path, line, message, severity, *code in record["warnings"]}
    lines = [report.problem_line(path, line, severity, message, code)
             for path, line, severity, message, code in sorted(said, key=lambda p: report.problem_order(*p[:4]))]
    return lines, [str(folder / name) for name in record["outputs"]]
