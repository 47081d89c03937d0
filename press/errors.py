"""The one error type of the pipeline, and the problems it carries.

Stages raise `PressError` where they find a problem (or collect several
and raise them together); only the command line prints them, once, in
the `PATH:LINE: error: MESSAGE  [CODE]` form of docs/format.md ("Problems").
Every problem has a code: a stable dotted name, documented in the README's
table of codes, for tests and tools to key on instead of the wording.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    severity: str = "error"  # or "warning", or "note" (what the format allows, said once; never fails a build)
    code: str = ""  # e.g. image.ppi, layout.overflow: the README's table of codes

    def format(self, cwd: Path | None = None) -> str:
        path = os.path.relpath(self.path, cwd or Path.cwd())
        where = f"{path}:{self.line}" if self.line else path
        # After the message, as mypy prints its codes: the line keeps its PATH:LINE: SEVERITY: form.
        return f"{where}: {self.severity}: {self.message}" + (f"  [{self.code}]" if self.code else "")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


SEVERITIES = ("error", "warning", "note")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """By file and line as printed, then errors before warnings before notes, then message: the same
    order on every run, whichever stage or worker found what. A problem found twice is said once."""
    def key(p: Problem):
        return os.path.relpath(p.path), p.line or 0, SEVERITIES.index(p.severity), p.message

    return sorted(set(problems), key=key)


def error(path: Path, line: int | None, message: str, code: str = "") -> Problem:
    return Problem(Path(path), line, message, "error", code)


def warning(path: Path, line: int | None, message: str, code: str = "") -> Problem:
    return Problem(Path(path), line, message, "warning", code)


def note(path: Path, line: int | None, message: str, code: str = "") -> Problem:
    return Problem(Path(path), line, message, "note", code)


class PressError(Exception):
    """One or more content problems that stop the build."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = sort_problems(problems if isinstance(problems, list) else [problems])
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self):
        # Picklable, so that an error found in a typesetting worker reaches the command line whole.
        return (PressError, (self.problems,))

    @classmethod
    def at(cls, path: Path, line: int | None, message: str, code: str = "") -> "PressError":
        return cls(error(path, line, message, code))


def fails(problem: Problem, strict: bool) -> bool:
    return problem.is_error or strict and problem.severity == "warning"


def raise_errors(problems: list[Problem], strict: bool = False) -> None:
    """Raise all problems together, warnings and notes too, if any of them fails the build.
    With `strict`, warnings are errors; notes never are."""
    if any(fails(p, strict) for p in problems):
        raise PressError([replace(p, severity="error") if fails(p, strict) else p for p in problems])
