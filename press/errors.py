"""The one error type of the pipeline, and the problems it carries.

Stages raise `PressError` where they find a problem (or collect several
and raise them together); only the command line prints them, once, in
the `PATH:LINE: error: MESSAGE` form of SPEC.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    severity: str = "error"  # or "warning"

    def format(self, cwd: Path | None = None) -> str:
        path = os.path.relpath(self.path, cwd or Path.cwd())
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.message))


def error(path: Path, line: int | None, message: str) -> Problem:
    return Problem(Path(path), line, message, "error")


def warning(path: Path, line: int | None, message: str) -> Problem:
    return Problem(Path(path), line, message, "warning")


class PressError(Exception):
    """One or more content problems that stop the build."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = sort_problems(problems if isinstance(problems, list) else [problems])
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self):
        # Picklable, so that an error found in a typesetting worker reaches the command line whole.
        return (PressError, (self.problems,))

    @classmethod
    def at(cls, path: Path, line: int | None, message: str) -> "PressError":
        return cls(error(path, line, message))


def raise_errors(problems: list[Problem], strict: bool = False) -> None:
    """Raise all problems together if any of them fails the build."""
    if any(p.is_error or strict for p in problems):
        failing = [p if p.is_error or not strict else error(p.path, p.line, p.message) for p in problems]
        raise PressError(failing)
