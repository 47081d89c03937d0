"""Characters beyond GB 2312 build, in regular and bold, and every reader draws them."""

from __future__ import annotations

import shutil
import subprocess

import pypdfium2 as pdfium

from conftest import build_here
from pdftext import squash

# People's names outside GB 2312 (昉 燚 骉 玥 镕 祎), an Extension A character (㐀) and an
# Extension B one that Noto's SC face carries (𠮷).
NAMES = "周昉、许燚、马骉、李玥、朱镕基、王祎、㐀、𠮷"


def test_rare_characters_build_and_are_drawn(tmp_path):
    from test_layout import tiny_issue

    # A section head (bold sans) and a body paragraph (regular serif) holding the names, in an
    # article of their own: the names are what is set, not the issue around them.
    issue = tiny_issue(tmp_path / "rare", body=f"第一段文字。\n\n## 人物：{NAMES}\n\n参与者有{NAMES}等人。")
    out = tmp_path / "out"
    result = build_here("pdf", str(issue), "-o", str(out))
    assert result.returncode == 0, result.stderr
    pdf = out / "tiny.zh.pdf"
    doc = pdfium.PdfDocument(pdf)
    pages = [i for i in range(len(doc)) if squash(NAMES) in squash(doc[i].get_textpage().get_text_range())]
    assert len(pages) >= 1, "the names are not in the PDF's text"
    page = pages[-1]
    from PIL import Image

    from test_readers import DPI, MOST_DISAGREEMENT, _disagreement

    # MuPDF finds every glyph (it warns of each one it cannot), and draws ink where PDFium does.
    drawn = subprocess.run(["mutool", "draw", "-q", "-r", str(DPI), "-o", str(tmp_path / "d.png"), str(pdf), str(page + 1)],
                           capture_output=True, text=True)
    assert drawn.returncode == 0 and "glyph" not in drawn.stderr, drawn.stderr
    ours = doc[page].render(scale=DPI / 72).to_pil()
    assert _disagreement(ours, Image.open(tmp_path / "d.png")) <= MOST_DISAGREEMENT


def test_every_face_sets_punctuation_pairs_in_one_and_a_half_em(tmp_path):
    """[clreq 3.1.6] Where two full-width marks meet, the blank half of one goes: every pair of
    the marks fonts/make_fonts.py gives 'chws' (a closing mark before any mark, an opening one
    after an opening one) takes at most 1.5 em, shaped by HarfBuzz with the feature on as
    :lang(zh) asks for it, in each Chinese face as made and in the subset a build embeds. An
    opening mark before a closing one has no blank between them, and keeps its 2 em."""
    import sys

    import uharfbuzz as hb

    from conftest import ROOT
    from press.fonts import subset_fonts

    sys.path.insert(0, str(ROOT / "fonts"))
    from make_fonts import CLOSING, OPENING

    marks = CLOSING + OPENING
    subsets = subset_fonts(ROOT / "fonts", set("中国" + marks), tmp_path).files
    faces = sorted((ROOT / "fonts" / "cjk").glob("*.otf"))
    assert len(faces) == 4
    for face in faces:
        for name, blob in ((face.name, hb.Blob.from_file_path(str(face))), (f"{face.name} (subset)", hb.Blob(subsets[face.name]))):
            font = hb.Font(hb.Face(blob))
            wide = []
            for a in marks:
                for b in marks:
                    buffer = hb.Buffer()
                    buffer.add_str(f"中{a}{b}中")
                    buffer.guess_segment_properties()
                    buffer.language = "zh-Hans"
                    hb.shape(font, buffer, {"chws": True})
                    pair = sum(p.x_advance for p in buffer.glyph_positions[1:3]) / font.face.upem
                    if pair > 1.5 + 1e-3 and not (a in OPENING and b in CLOSING):
                        wide.append(f"{a}{b} {pair:.2f} em")
            assert wide == [], (name, wide)


def test_chinese_faces_not_made_is_one_error_that_says_how_to_make_them(tmp_path, run_fresh):
    """A clone before `make setup`: fonts/cjk/ is made on each machine, never committed. `check`
    says so once, at the folder (no line applies), with the command that makes it, and exits 1."""
    from conftest import ISSUE, ROOT

    project = tmp_path / "project"
    (project / "fonts").mkdir(parents=True)
    for entry in (ROOT / "fonts").iterdir():
        if entry.name != "cjk":  # the committed faces (Noto Serif), their licences, the scripts
            (project / "fonts" / entry.name).symlink_to(entry)
    for name in ("templates", "styles"):
        (project / name).symlink_to(ROOT / name)
    shutil.copytree(ISSUE, project / "content" / ISSUE.name)  # a link would lead press to the checkout
    result = run_fresh("check", f"content/{ISSUE.name}", cwd=project, env={"PRESS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "fonts/cjk: error: the Chinese faces are not made on this machine: run 'make setup' "
        "(tools/setup.sh makes them from Debian's fonts-noto-cjk)  [font.missing]"], result.stderr
