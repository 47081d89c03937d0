"""The project folder and its faces, found with the lightest of the standard library (os, pathlib).

The project folder is the nearest folder holding templates/, styles/, fonts/ and content/.
These functions answer None where press/config.py (and press/fonts.py) say what is wrong:
a build whose inputs have not changed (press/reuse.py) finds its folders here before anything
heavier loads, and leaves whatever is not plain to the full build, which says it.
"""

from __future__ import annotations

import os
from pathlib import Path

CODE = Path(__file__).resolve().parent  # the package: its own source is part of every cache key
CHECKOUT = CODE.parent  # a source checkout, when press runs from one (python build.py)
PROJECT_FOLDERS = ("templates", "styles", "fonts", "content")
# The issue that `python build.py` builds when no folder is named: the project's reference
# issue, whatever other issues (samples, issues in progress) sit beside it in content/.
DEFAULT_ISSUE = "2020-02"

FONT_SUFFIXES = (".otf", ".ttf")
CJK_DIR = "cjk"  # made by fonts/make_fonts.py, not committed
EXTRA_DIR = "extra"  # an editor's own faces, each with its licence


def find_project(issue_dir: str | Path | None = None, cwd: Path | None = None, checkout: Path = CHECKOUT) -> Path | None:
    """The project folder: looking from the issue folder up, then from the current folder up (as
    git finds .git); failing both, the checkout that press runs from (else None). Installed, press
    carries no templates, styles or fonts of its own: they are the project's, as mkdocs.yml and
    docs/ are a site's."""
    starts = ([Path(issue_dir).resolve()] if issue_dir else []) + [Path(cwd or Path.cwd()).resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            if all(os.path.isdir(folder / name) for name in PROJECT_FOLDERS):
                return folder
    if all(os.path.isdir(checkout / name) for name in PROJECT_FOLDERS):
        return checkout
    return None


def default_issue(content_dir: Path) -> Path | None:
    issue = content_dir / DEFAULT_ISSUE
    return issue if os.path.isfile(issue / "issue.yaml") else None


def cache_dir(root: Path) -> Path:
    """The project's .cache/, or PRESS_CACHE_DIR."""
    cache = os.environ.get("PRESS_CACHE_DIR")
    return Path(cache) if cache else root / ".cache"


def source_date():
    """SOURCE_DATE_EPOCH's day (a datetime.date), which dates the PDFs instead of the issue, or None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    import datetime as dt  # only then

    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()


def output_dir(out_dir: Path | None, issue_id: str) -> Path:
    """Where a build writes: the folder named (-o), else build/<issue-id>/ under the current folder."""
    return Path(out_dir) if out_dir is not None else Path("build") / issue_id


def font_files(fonts_dir: Path) -> list[Path] | None:
    """Every face of the project: fonts/, fonts/cjk/ and fonts/extra/; None while the Chinese faces
    are not made on this machine."""
    fonts_dir = Path(fonts_dir)
    cjk = fonts_dir / CJK_DIR
    if not os.path.isfile(cjk / "SOURCE.json"):
        return None
    return sorted(p for folder in (fonts_dir, cjk, fonts_dir / EXTRA_DIR) if folder.is_dir()
                  for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
