"""One test per clreq rule, on lines of glyphs made here (press.clreq knows no PDF)."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from press.clreq import (Glyph, fullwidth_punctuation, han_western_gaps, lonely_last_character,  # noqa: E402
                         prepare, prohibited_line_end, prohibited_line_start, punctuation_pairs, space_han_western,
                         split_pair, squeezed_marks)

EM = 10.0


def line(text: str, widths: dict[str, float] | None = None, gaps: dict[int, float] | None = None) -> list[Glyph]:
    """Glyphs set one after another: 1 em each unless `widths` says otherwise; `gaps` adds space before index i."""
    x, glyphs = 0.0, []
    for i, char in enumerate(text):
        x += (gaps or {}).get(i, 0.0) * EM
        width = (widths or {}).get(char, 0.5 if char.isascii() else 1.0) * EM
        glyphs.append(Glyph(char, x, x + width))
        x += width
    return glyphs


def test_line_start_prohibitions():
    assert prohibited_line_start(line("，中国")) == ["line starts with '，'"]
    assert prohibited_line_start(line("）中国")) and prohibited_line_start(line("·中国"))
    assert prohibited_line_start(line("中国，")) == []


def test_line_end_prohibitions():
    assert prohibited_line_end(line("中国（")) == ["line ends with '（'"]
    assert prohibited_line_end(line("中国“")) and not prohibited_line_end(line("中国”"))


def test_dash_and_ellipsis_are_not_split():
    assert split_pair(line("中国—"), line("—科技")) == ["'——' split across lines"]
    assert split_pair(line("中国……"), line("科技")) == []


def test_han_western_gap_is_a_quarter_em():
    assert han_western_gaps(line("年2020年", gaps={1: 0.25, 5: 0.25}), EM) == []
    assert han_western_gaps(line("年2020", gaps={1: 0.0}), EM) == ["年2: gap 0.00 em"]
    assert han_western_gaps(line("年2020", gaps={1: 0.5}), EM) == ["年2: gap 0.50 em"]


def test_punctuation_pairs_take_at_most_one_and_a_half_em():
    assert punctuation_pairs(line("说”，中", widths={"”": 0.5}), EM) == []
    assert punctuation_pairs(line("说”，中"), EM) == ["”，: 2.00 em"]


def test_single_marks_keep_their_full_width():
    assert squeezed_marks(line("中，国"), EM) == []
    assert squeezed_marks(line("中，国", widths={"，": 0.6}), EM) == ["，: 0.60 em"]
    assert squeezed_marks(line("it’s", widths={"’": 0.25}), EM) == []  # an English apostrophe is not a Chinese mark


def test_no_lonely_last_character():
    assert lonely_last_character(line("国。")) == ["'国' alone on a line"]
    assert lonely_last_character(line("中国。")) == []


def test_text_preparation_spacing_and_punctuation():
    assert space_han_western("共 120 种") == "共\u2005120\u2005种"
    assert space_han_western("mRNA疫苗") == "mRNA\u2005疫苗"
    assert fullwidth_punctuation("之际,中国") == "之际，中国"
    assert fullwidth_punctuation("WDS,World") == "WDS,World"
    assert prepare("The Lancet", "en") == "The Lancet"


def test_the_last_two_characters_of_a_paragraph_stay_together():
    from press.clreq import WORD_JOINER, keep_last_two

    assert keep_last_two("<p>共同维护人类美好家园。</p>") == f"<p>共同维护人类美好家{WORD_JOINER}园。</p>"
    # The text of a note, set at the foot of the page, is not the paragraph's end.
    note = '<span class="footnote" data-n="5">数据摘自官网</span>'
    assert keep_last_two(f"<p>近13万人次{note}。</p>") == f"<p>近13万人{WORD_JOINER}次{note}。</p>"
    assert keep_last_two("<h3>（5）信息系统</h3>") == f"<h3>（5）信息系{WORD_JOINER}统</h3>"
    assert keep_last_two("<p>Text only.</p>") == "<p>Text only.</p>"
