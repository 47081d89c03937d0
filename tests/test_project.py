"""Where press finds templates/, styles/, fonts/ and content/: the project folder, from the issue
folder named or the current folder up (press/config.py), so that an installed `press` works
in any project, and `python build.py` in its checkout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pypdf
import pytest

from conftest import ISSUE, ROOT, build_here


from press import config  # noqa: E402
from press.errors import PressError  # noqa: E402

ISSUE_ID = "2031-07"  # an id the checkout does not have
MARK = "Printed from the project's own templates"


@pytest.fixture
def project(tmp_path) -> Path:
    """A project of its own: the checkout's styles and fonts, its templates with a line added
    to every article, and one issue."""
    root = tmp_path / "newsletter"
    root.mkdir()
    for name in ("styles", "fonts"):
        (root / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "templates", root / "templates")
    article = root / "templates" / "article.html.j2"
    text = article.read_text(encoding="utf-8")
    assert text.count("{% block body %}") == 1
    article.write_text(text.replace("{% block body %}", f"{{% block body %}}<p>{MARK}</p>"), encoding="utf-8")
    # A small issue (test_layout.tiny_issue): which templates set it is what is tested, not its pages.
    from test_layout import tiny_issue

    issue = tiny_issue(root / "content" / ISSUE_ID, body="正文，用项目自己的模板排印。\n\n第二段。")
    yaml = issue / "issue.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "id: tiny\n" in text
    yaml.write_text(text.replace("id: tiny\n", f'id: "{ISSUE_ID}"\n'), encoding="utf-8")
    return root


def test_the_current_folder_names_the_project(project):
    """No issue named: the default issue of the project that the current folder is in, or is
    inside of; not the checkout's, which press runs from."""
    shutil.copytree(ISSUE, project / "content" / config.DEFAULT_ISSUE)
    for cwd in (project, project / "content" / ISSUE_ID / "images"):
        result = build_here("check", cwd=cwd)
        assert result.returncode == 0, result.stderr
        issue = os.path.relpath(project / "content" / config.DEFAULT_ISSUE, cwd)
        assert result.stderr.splitlines()[-1].startswith(f"{issue}: ok ("), result.stderr


def test_the_issue_folder_names_its_project(project, tmp_path):
    """Built from a folder outside it, the issue is set with its own project's templates."""
    out = tmp_path / "out"
    result = build_here("pdf", str(project / "content" / ISSUE_ID), "-o", str(out), cwd=tmp_path,
                       env={"PRESS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    pages = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(out / f"{ISSUE_ID}.en.pdf").pages]
    articles = {p.name.split(".")[0] for p in (project / "content" / ISSUE_ID).glob("*.en.md")}
    assert sum(page.count(MARK) for page in pages) == len(articles), pages


def test_no_project_is_one_error(tmp_path, monkeypatch):
    """Installed (no checkout around the code) and run outside any project."""
    monkeypatch.setattr(config, "CHECKOUT", tmp_path / "site-packages")
    (tmp_path / "elsewhere" / "templates").mkdir(parents=True)  # a folder with only some of the four
    with pytest.raises(PressError) as raised:
        config.find_project(None, tmp_path / "elsewhere")
    [problem] = raised.value.problems
    assert problem.path == tmp_path / "elsewhere"
    assert problem.message.startswith("no project folder here or above: press needs a folder holding templates/, "
                                      "styles/, fonts/, content/")
