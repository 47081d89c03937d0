"""Shared fixtures: the real command line, run on the real issue."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The project's own press package, however pytest was started (from another folder, or as
# `pytest` rather than `python -m pytest`), and before any installed copy.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
ISSUE = ROOT / "content" / "2020-02"
SAMPLE = ROOT / "content" / "2020-06"  # the second issue, written to use every feature of the format
ISSUES = {"2020-02": ISSUE, "2020-06": SAMPLE}
SEEDS = ROOT / "tests" / "seeds"  # the texts content/2020-02 was made from (tests/seeds/README.md)


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as an editor would, and insist it never shows a traceback."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                            text=True, env={**os.environ, **(env or {})}, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The three PDFs of 2020-02, built once per test session."""
    out = tmp_path_factory.mktemp("built")
    result = run_build("pdf", str(ISSUE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def build_of(built, tmp_path_factory):
    """The output folder of an issue (by id), each built once per test session."""
    outputs = {"2020-02": built}

    def build(issue_id: str) -> Path:
        if issue_id not in outputs:
            out = tmp_path_factory.mktemp(f"built-{issue_id}")
            result = run_build("pdf", str(ISSUES[issue_id]), "-o", str(out))
            assert result.returncode == 0, result.stderr
            outputs[issue_id] = out
        return outputs[issue_id]

    return build


@pytest.fixture
def issue_copy(tmp_path) -> Path:
    """A private copy of the issue to break."""
    target = tmp_path / "2020-02"
    shutil.copytree(ISSUE, target)
    return target


def pytest_addoption(parser):
    parser.addoption("--update-baselines", action="store_true", default=False,
                     help="approve the current pages of the built PDFs as the visual baselines")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (its own browser download cannot be had here)."""
    from playwright.sync_api import sync_playwright

    # A failure, not a skip: tools/setup.sh installs Chromium, and a skipped browser test reads as
    # a passed one in a summary nobody scrolls up.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}: run 'bash tools/setup.sh', which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()
