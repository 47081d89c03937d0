"""How a problem is said: its `PATH:LINE: SEVERITY: MESSAGE  [CODE]` line (docs/format.md,
"Problems") and the order of the lines. press.errors.Problem says itself through these; a
reused build (press/reuse.py) says its recorded warnings with them before anything heavier
loads (os alone: press.errors needs dataclasses, a fifth of a warm build)."""

from __future__ import annotations

import os

SEVERITIES = ("error", "warning", "note")


def problem_line(path, line: int | None, severity: str, message: str, code: str = "", cwd=None) -> str:
    path = os.path.relpath(path, cwd or os.getcwd())
    where = f"{path}:{line}" if line else path
    # After the message, as mypy prints its codes: the line keeps its PATH:LINE: SEVERITY: form.
    return f"{where}: {severity}: {message}" + (f"  [{code}]" if code else "")


def problem_order(path, line: int | None, severity: str, message: str) -> tuple:
    """By file and line as printed, then errors before warnings before notes, then message: the same
    order on every run, whichever stage or worker found what."""
    return os.path.relpath(path), line or 0, SEVERITIES.index(severity), message
