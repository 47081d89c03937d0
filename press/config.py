"""The build's configuration, read once at the command line's edge."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import PressError
from .output import check_folder
from .sources import folder_problem

CODE = Path(__file__).resolve().parent  # the package: its own source is part of every cache key
CHECKOUT = CODE.parent  # a source checkout, when press runs from one (python build.py)
PROJECT_FOLDERS = ("templates", "styles", "fonts", "content")
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
        return self.out_dir if self.out_dir is not None else Path("build") / issue_id


def find_project(issue_dir: Path | None = None, cwd: Path | None = None) -> Path:
    """The project folder: the nearest folder holding templates/, styles/, fonts/ and content/,
    looking from the issue folder up, then from the current folder up (as git finds .git);
    failing both, the checkout that press runs from. Installed, press carries no templates,
    styles or fonts of its own: they are the project's, as mkdocs.yml and docs/ are a site's."""
    starts = ([Path(issue_dir).resolve()] if issue_dir else []) + [Path(cwd or Path.cwd()).resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            if all((folder / name).is_dir() for name in PROJECT_FOLDERS):
                return folder
    if all((CHECKOUT / name).is_dir() for name in PROJECT_FOLDERS):
        return CHECKOUT
    folders = ", ".join(f"{name}/" for name in PROJECT_FOLDERS)
    raise PressError.at(Path(issue_dir or cwd or Path.cwd()), None,
                        f"no project folder here or above: press needs a folder holding {folders} "
                        "(run it inside the project, or name an issue folder in one)", code="project.missing")


# The issue that `python build.py` builds when no folder is named: the project's reference
# issue, whatever other issues (samples, issues in progress) sit beside it in content/.
DEFAULT_ISSUE = "2020-02"


def default_issue(content_dir: Path) -> Path:
    issue = content_dir / DEFAULT_ISSUE
    if not (issue / "issue.yaml").is_file():
        raise PressError.at(issue, None, f"the default issue {DEFAULT_ISSUE} has no issue.yaml: name an issue "
                            "folder (python build.py pdf content/<id>) or set DEFAULT_ISSUE in press/config.py", code="issue.missing")
    return issue


def load_config(issue_dir: str | None = None, out_dir: str | None = None, strict: bool = False,
                press: bool = False) -> Config:
    cache = os.environ.get("PRESS_CACHE_DIR")
    profile = os.environ.get("PRESS_ICC_PROFILE", "").strip()
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    source_date = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch.isdigit() else None
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
        cache_dir=Path(cache) if cache else root / ".cache",
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
