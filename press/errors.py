"""The one error type of the pipeline, and the problems it carries.

Stages raise `PressError` where they find a problem (or collect several
and raise them together); only the command line prints them, once, in
the `PATH:LINE: error: MESSAGE  [CODE]` form of docs/format.md ("Problems").
Every problem has a code: a stable dotted name, documented in the README's
table of codes, for tests and tools to key on instead of the wording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from . import report
from .report import SEVERITIES  # noqa: F401 (read by others)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    severity: str = "error"  # or "warning", or "note" (what the format allows, said once; never fails a build)
    code: str = ""  # e.g. image.ppi, layout.overflow: the README's table of codes

    def format(self, cwd: Path | None = None) -> str:
        return report.problem_line(self.path, self.line, self.severity, self.message, self.code, cwd)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """In press.report's order. A problem found twice is said once."""
    return sorted(set(problems), key=lambda p: report.problem_order(p.path, p.line, p.severity, p.message))


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
