"""The build's configuration, read once at the command line's edge."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from . import project
from .errors import PressError
from .output import check_folder
from .project import CHECKOUT, CODE, DEFAULT_ISSUE, PROJECT_FOLDERS  # noqa: F401 (CODE: the package, read by others)
from .sources import folder_problem

FOGRA39 = Path("profiles") / "FOGRA39L_coated.icc"  # in the project folder, made by tools/make_press_profile.sh


@dataclass(frozen=True)
class Config:
    issue_dir: Path
    out_dir: Path | None  # None: build/<issue-id>/ under the current folder
    templates_dir: Path
    styles_dir: Path
    fonts_dir: Path
    cache_dir: Path
    baselines_dir: Path
    strict: bool = False
    jobs: int = 2
    source_date: dt.date | None = None  # SOURCE_DATE_EPOCH, when set, dates the PDFs instead of the issue
    press: bool = False  # also write the press PDF (bleed, crop marks, PDF/X-4)
    # The press PDF's output intent: the CMYK profile of the printing condition, FOGRA39
    # unless the environment's PRESS_ICC_PROFILE names the print shop's.
    press_profile: Path | None = None
    fogra39: Path | None = None  # the project's FOGRA39 profile: the default, named as such in the PDF

    def output_dir(self, issue_id: str) -> Path:
        return project.output_dir(self.out_dir, issue_id)


def find_project(issue_dir: Path | None = None, cwd: Path | None = None) -> Path:
    """The project folder (press.project.find_project), or the error that there is none."""
    found = project.find_project(issue_dir, cwd, CHECKOUT)
    if found is None:
        folders = ", ".join(f"{name}/" for name in PROJECT_FOLDERS)
        raise PressError.at(Path(issue_dir or cwd or Path.cwd()), None,
                            f"no project folder here or above: press needs a folder holding {folders} "
                            "(run it inside the project, or name an issue folder in one)", code="project.missing")
    return found


def default_issue(content_dir: Path) -> Path:
    issue = project.default_issue(content_dir)
    if issue is None:
        raise PressError.at(content_dir / DEFAULT_ISSUE, None, f"the default issue {DEFAULT_ISSUE} has no issue.yaml: name "
                            "an issue folder (python build.py pdf content/<id>) or set DEFAULT_ISSUE in press/project.py",
                            code="issue.missing")
    return issue


def load_config(issue_dir: str | None = None, out_dir: str | None = None, strict: bool = False,
                press: bool = False) -> Config:
    cache = os.environ.get("PRESS_CACHE_DIR")
    profile = os.environ.get("PRESS_ICC_PROFILE", "").strip()
    source_date = project.source_date()
    # Before any work: the build hashes the issue folder before it loads it, and one that
    # cannot be written is not started.
    if issue_dir and (why := folder_problem(Path(issue_dir))) is not None:
        raise PressError.at(Path(issue_dir), None, why, code="issue.folder")
    if out_dir:
        check_folder(Path(out_dir))
    if cache:
        check_folder(Path(cache), "set PRESS_CACHE_DIR to a folder")
    root = find_project(issue_dir)
    cfg = Config(
        issue_dir=Path(issue_dir) if issue_dir else default_issue(root / "content"),
        out_dir=Path(out_dir) if out_dir else None,
        templates_dir=root / "templates",
        styles_dir=root / "styles",
        fonts_dir=root / "fonts",
        cache_dir=project.cache_dir(root),
        baselines_dir=root / "tests" / "baselines",
        strict=strict,
        jobs=max(1, min(os.cpu_count() or 1, 4)),
        source_date=source_date,
        press=press,
        press_profile=Path(profile) if profile else root / FOGRA39,
        fogra39=root / FOGRA39,
    )
    if press:  # a wrong profile stops the build before any typesetting
        from .inks import output_condition
        output_condition(cfg.press_profile, cfg.fogra39)
    return cfg
