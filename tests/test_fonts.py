"""Characters beyond GB 2312 build, in regular and bold, and every reader draws them."""

from __future__ import annotations

import subprocess

import pypdfium2 as pdfium

from conftest import build_here
from pdftext import squash

# People's names outside GB 2312 (昉 燚 骉 玥 镕 祎), an Extension A character (㐀) and an
# Extension B one that Noto's SC face carries (𠮷).
NAMES = "周昉、许燚、马骉、李玥、朱镕基、王祎、㐀、𠮷"


def test_rare_characters_build_and_are_drawn(issue_copy, tmp_path):
    article = issue_copy / "global-fight.zh.md"
    text = article.read_text(encoding="utf-8")
    # A section head (bold sans) and a body paragraph (regular serif) holding the names.
    text = text.rstrip("\n") + f"\n\n## 人物：{NAMES}\n\n参与者有{NAMES}等人。\n"
    article.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = build_here("pdf", str(issue_copy), "-o", str(out))
    assert result.returncode == 0, result.stderr
    pdf = out / "2020-02.zh.pdf"
    doc = pdfium.PdfDocument(pdf)
    pages = [i for i in range(len(doc)) if squash(NAMES) in squash(doc[i].get_textpage().get_text_range())]
    assert len(pages) >= 1, "the names are not in the PDF's text"
    page = pages[-1]
    # MuPDF finds every glyph (it warns of each one it cannot), and draws ink where PDFium does.
    drawn = subprocess.run(["mutool", "draw", "-q", "-r", "100", "-o", str(tmp_path / "p.pgm"), str(pdf), str(page + 1)],
                           capture_output=True, text=True)
    assert drawn.returncode == 0 and "glyph" not in drawn.stderr, drawn.stderr
    from PIL import Image

    from test_readers import DPI, MOST_DISAGREEMENT, _disagreement

    ours = doc[page].render(scale=DPI / 72).to_pil()
    subprocess.run(["mutool", "draw", "-q", "-r", str(DPI), "-o", str(tmp_path / "d.png"), str(pdf), str(page + 1)], check=True)
    assert _disagreement(ours, Image.open(tmp_path / "d.png")) <= MOST_DISAGREEMENT
