"""Visual regression: the differ itself, and the pages of both issues against their approved images."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import ISSUE, ISSUES, ROOT, build_here
from press.visual import PdfDiff, compare_pages, compare_pdf, write_baselines

# 60 px drawn at 5× gives 12 px glyphs: 10 pt body text at the 100 dpi the differ renders at.
FONT = ImageFont.truetype(str(ROOT / "fonts" / "cjk" / "NotoSerifSC-Regular.otf"), 60)


def page(lines: list[str], dx: float = 0.0) -> np.ndarray:
    """A small grey page of text, drawn 5× larger and scaled down so edges are anti-aliased like a rendered PDF."""
    big = Image.new("L", (3000, 200 * len(lines) + 200), 255)
    draw = ImageDraw.Draw(big)
    for i, line in enumerate(lines):
        draw.text((100 + dx * 5, 100 + 200 * i), line, font=FONT, fill=0)
    return np.asarray(big.resize((big.width // 5, big.height // 5), Image.LANCZOS))


TEXT = ["知识共享是指知识源主体有意识、有目的地促进知识转移。", "Knowledge sharing across borders, 2020 年"]


def test_identical_pages_pass():
    assert compare_pages(page(TEXT), page(TEXT)).changed == 0


def test_one_changed_character_fails_and_the_box_covers_it():
    changed = [TEXT[0].replace("转移", "流动"), TEXT[1]]
    diff = compare_pages(page(TEXT), page(changed))
    assert not diff.passed
    # Where 转移 stands: measure it in the drawing itself.
    left = 20 + FONT.getlength(TEXT[0][: TEXT[0].index("转移")]) / 5
    right = 20 + FONT.getlength(TEXT[0][: TEXT[0].index("转移") + 2]) / 5
    x0, y0, x1, y1 = diff.box
    assert left - 2 <= x0 and x1 <= right + 2 and y1 <= 20 + 40 + 2, diff.box


@pytest.mark.parametrize("shift", [0.2, 0.4, 0.6])
def test_a_sub_pixel_shift_of_anti_aliased_text_passes(shift):
    assert compare_pages(page(TEXT), page(TEXT, dx=shift)).passed


def test_a_page_added_or_removed_fails(built, tmp_path):
    pdf = built / "2020-02.en.pdf"
    baseline = tmp_path / "baseline"
    pages = write_baselines(pdf, baseline)
    assert compare_pdf(pdf, baseline).passed
    (baseline / f"p{pages:03d}.png").unlink()
    assert compare_pdf(pdf, baseline).problem == f"{pages} pages, the baseline has {pages - 1}"
    shutil.copy(baseline / "p001.png", baseline / f"p{pages:03d}.png")
    shutil.copy(baseline / "p001.png", baseline / f"p{pages + 1:03d}.png")
    assert not compare_pdf(pdf, baseline).passed


def described(diff: PdfDiff) -> str:
    return diff.problem or ", ".join(f"{diff.name} page {p.page} ({p.changed} px at {p.box})" for p in diff.failed_pages)


@pytest.mark.parametrize("issue_id", ISSUES)
def test_pages_match_their_baselines(build_of, issue_id, request):
    # The reading PDFs, as `build.py diff` and `baseline` take them: the session's build also made
    # the press PDF, whose pages test_press and test_readers check.
    reading = sorted(pdf for pdf in build_of(issue_id).glob("*.pdf") if not pdf.name.endswith(".press.pdf"))
    baselines = ROOT / "tests" / "baselines" / issue_id
    failures: list[PdfDiff] = []
    for pdf in reading:
        folder = baselines / pdf.stem
        if folder.is_dir():
            diff = compare_pdf(pdf, folder)  # always against the approved pages, never ones just written
            if not diff.passed:
                failures.append(diff)
        elif not request.config.getoption("--update-baselines"):
            pytest.fail(f"no baselines for {pdf.name}: run pytest --update-baselines")
    if request.config.getoption("--update-baselines"):
        # Approving is not checking: say what the new baselines change, and pass no judgement.
        for pdf in reading:
            write_baselines(pdf, baselines / pdf.stem)
        pytest.skip(f"baselines of {issue_id} written, not checked; they changed: "
                    + ("; ".join(described(diff) for diff in failures) or "nothing"))
    assert not failures, "; ".join(described(diff) for diff in failures)


def test_diff_command_names_the_page_of_a_one_character_edit(issue_copy, tmp_path):
    article = issue_copy / "knowledge-sharing.zh.md"
    article.write_text(article.read_text(encoding="utf-8").replace("知识源出于信任", "知识源出于相信"), encoding="utf-8")
    result = build_here("diff", str(issue_copy), "-o", str(tmp_path / "edited"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^2020-02\.pdf: page \d+ changed", result.stdout, re.M), result.stdout
    assert "report: " in result.stdout
    article.write_text((ISSUE / "knowledge-sharing.zh.md").read_text(encoding="utf-8"), encoding="utf-8")
    result = build_here("diff", str(issue_copy), "-o", str(tmp_path / "reverted"))
    assert result.returncode == 0, result.stdout + result.stderr
