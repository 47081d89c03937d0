"""The build's configuration, read once at the command line's edge."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import PressError
from .output import check_folder
from .sources import folder_problem

ROOT = Path(__file__).resolve().parent.parent
FOGRA39 = ROOT / "profiles" / "FOGRA39L_coated.icc"  # made by tools/make_press_profile.sh


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
    press_profile: Path = FOGRA39

    def output_dir(self, issue_id: str) -> Path:
        return self.out_dir if self.out_dir is not None else Path("build") / issue_id


# The issue that `python build.py` builds when no folder is named: the project's reference
# issue, whatever other issues (samples, issues in progress) sit beside it in content/.
DEFAULT_ISSUE = "2020-02"


def default_issue(content_dir: Path = ROOT / "content") -> Path:
    issue = content_dir / DEFAULT_ISSUE
    if not (issue / "issue.yaml").is_file():
        raise PressError.at(issue, None, f"the default issue {DEFAULT_ISSUE} has no issue.yaml: name an issue "
                            "folder (python build.py pdf content/<id>) or set DEFAULT_ISSUE in press/config.py")
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
        raise PressError.at(Path(issue_dir), None, why)
    if out_dir:
        check_folder(Path(out_dir))
    if cache:
        check_folder(Path(cache), "set PRESS_CACHE_DIR to a folder")
    cfg = Config(
        issue_dir=Path(issue_dir) if issue_dir else default_issue(),
        out_dir=Path(out_dir) if out_dir else None,
        templates_dir=ROOT / "templates",
        styles_dir=ROOT / "styles",
        fonts_dir=ROOT / "fonts",
        cache_dir=Path(cache) if cache else ROOT / ".cache",
        baselines_dir=ROOT / "tests" / "baselines",
        strict=strict,
        jobs=max(1, min(os.cpu_count() or 1, 4)),
        source_date=source_date,
        press=press,
        **({"press_profile": Path(profile)} if profile else {}),
    )
    if press:  # a wrong profile stops the build before any typesetting
        from .inks import output_condition
        output_condition(cfg.press_profile, FOGRA39)
    return cfg
