"""One test per page rule (press.pagerules), on lines of glyphs made here, and the text
preparation of press.clreq. Neither module knows this project's issues."""

from __future__ import annotations



from press.clreq import fullwidth_punctuation, prepare, space_han_western  # noqa: E402
from press.pagerules import (Glyph, cell_breaks, han_western_gaps, hyphenated_runs, lonely_last_character,  # noqa: E402
                             note_call_line_start, prohibited_line_end, prohibited_line_start, punctuation_pairs,
                             split_cells, split_pair, squeezed_marks, wide_word_spaces)

EM = 10.0


def line(text: str, widths: dict[str, float] | None = None, gaps: dict[int, float] | None = None) -> list[Glyph]:
    """Glyphs set one after another: 1 em each (0.5 em for ASCII) unless `widths` says otherwise;
    `gaps` adds space (in em) before index i."""
    x, glyphs = 0.0, []
    for i, char in enumerate(text):
        x += (gaps or {}).get(i, 0.0) * EM
        width = (widths or {}).get(char, 0.5 if char.isascii() else 1.0) * EM
        glyphs.append(Glyph(char, x, x + width, EM))
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
    assert han_western_gaps(line("年2020年", gaps={1: 0.25, 5: 0.25})) == []
    assert han_western_gaps(line("年2020", gaps={1: 0.0})) == ["年2: gap 0.00 em"]
    assert han_western_gaps(line("年2020", gaps={1: 0.5})) == ["年2: gap 0.50 em"]
    # A heading and its translation set in two sizes are two items, not one run of text.
    heading = line("目录") + [Glyph("C", 30.0, 38.0, 7.0)]
    assert han_western_gaps(heading) == []


def test_punctuation_pairs_take_at_most_one_and_a_half_em():
    assert punctuation_pairs(line("说”，中", widths={"”": 0.5})) == []
    assert punctuation_pairs(line("说”，中")) == ["”，: 2.00 em"]
    # What follows the pair (the spacing of a justified line) is not part of it.
    assert punctuation_pairs(line("说”，中", widths={"”": 0.5}, gaps={3: 0.2})) == []


def test_single_marks_keep_their_full_width():
    assert squeezed_marks(line("中，国")) == []
    assert squeezed_marks(line("中，国", widths={"，": 0.6})) == ["，: 0.60 em"]
    assert squeezed_marks(line("it’s", widths={"’": 0.25})) == []  # an English apostrophe is not a Chinese mark


def test_no_lonely_last_character():
    assert lonely_last_character(line("国。")) == ["'国' alone on a line"]
    assert lonely_last_character(line("中国。")) == []


def test_no_more_than_two_hyphenated_lines_in_a_row():
    lines = [line("the gov‐"), line("ernment sup‐"), line("ports man‐"), line("kind.")]
    assert hyphenated_runs(lines) == ["3 hyphenated lines in a row: the gov‐ / ent sup‐ / rts man‐"]
    assert hyphenated_runs(lines[1:]) == []
    assert hyphenated_runs([line("COVID-19 and"), line("the end")]) == []


def test_word_spaces_in_a_justified_line():
    assert wide_word_spaces(line("a good line", gaps={})) == []
    assert wide_word_spaces(line("a wide line", gaps={2: 0.3})) == ["a w: word space 0.80 em"]
    # Leaders and punctuation are not words.
    assert wide_word_spaces(line("Title . . 3", gaps={6: 2.0})) == []


def test_text_preparation_spacing_and_punctuation():
    assert space_han_western("共 120 种") == "共\u2005120\u2005种"
    assert space_han_western("mRNA疫苗") == "mRNA\u2005疫苗"
    assert fullwidth_punctuation("之际,中国") == "之际，中国"
    assert fullwidth_punctuation("WDS,World") == "WDS,World"
    assert prepare("The Lancet", "en") == "The Lancet"
    assert prepare("中国 2020", "zh-Hans") == "中国\u20052020"


def test_the_last_two_characters_of_a_paragraph_stay_together():
    from press.clreq import WORD_JOINER, keep_last_two

    assert keep_last_two("<p>共同维护人类美好家园。</p>") == f"<p>共同维护人类美好家{WORD_JOINER}园。</p>"
    # The text of a note, set at the foot of the page, is not the paragraph's end.
    note = '<span class="footnote" data-n="5">数据摘自官网</span>'
    assert keep_last_two(f"<p>近13万人次{note}。</p>") == f"<p>近13万人{WORD_JOINER}次{note}。</p>"
    assert keep_last_two("<h3>（5）信息系统</h3>") == f"<h3>（5）信息系{WORD_JOINER}统</h3>"
    assert keep_last_two("<p>Text only.</p>") == "<p>Text only.</p>"


def test_no_widows_or_orphans():
    from press.pagerules import column_problems as widows_and_orphans

    def column(*texts: str, at: float = 0.0) -> list[list[Glyph]]:
        """Lines of a column 6 em wide: a leading '>' stands for a 2 em first-line indent."""
        lines = []
        for text in texts:
            indent = 2.0 if text.startswith(">") else 0.0
            lines.append([g._replace(left=g.left + at, right=g.right + at) for g in line(text.lstrip(">"), gaps={0: indent})])
        return lines

    right = 120.0
    good = column(">国国国国", "国国国国国国", "国国。") + column("国国国国国国", "国国。", ">国国国国", "国国国国国国", at=right)
    assert widows_and_orphans(good, 100.0) == []
    widow = column(">国国国国", "国国国国国国", "国国国国国国") + column("国国。", ">国国国国", "国国国国国国", at=right)
    assert widows_and_orphans(widow, 100.0) == ["widow: '国国。' begins a column"]
    orphan = column(">国国国国", "国国国国国国", "国国。", ">国国国国") + column("国国国国国国", "国国。", at=right)
    assert widows_and_orphans(orphan, 100.0) == ["orphan: '国国国国' ends a column"]


def test_an_opening_mark_at_a_line_start_has_its_ink_at_the_edge():
    from press.pagerules import column_problems

    def at(x: float, text: str, font: str = "ABCDEF+Press-Serif-CJK") -> list[Glyph]:
        return [g._replace(left=g.left + x, right=g.right + x, font=font) for g in line(text)]

    body = [at(0, "国国国国国国"), at(0, "国国国国国国"), at(0, "国国国国国国")]
    # A Western quotation mark has no blank half to lose.
    assert column_problems(body + [at(0.0, "“国”国国国", font="ABCDEF+Press-Serif")], 100.0) == []
    assert column_problems(body + [at(-5.0, "（国）国国国")], 100.0) == []
    assert column_problems(body + [at(0.0, "（国）国国国")], 100.0) == ["'（国）国国国': the opening mark keeps its blank half"]


def test_a_note_call_never_starts_a_line():
    call = [Glyph("1", 0.0, 3.3, 6.5)]
    after = [g._replace(left=g.left + 3.3, right=g.right + 3.3) for g in line("。此后")]
    assert note_call_line_start(call + after) == ["line starts with the note call '1', then '。'"]
    assert note_call_line_start(call + after[1:]) == ["line starts with the note call '1'"]
    # A note's own number at the foot is set in the note's size; figures in a table are text.
    assert note_call_line_start([g._replace(em=7.5) for g in line("1据中国")]) == []
    assert note_call_line_start(line("21.6")) == []
    assert note_call_line_start(line("中国1。")) == []


def cells(*rows: tuple[float, str, str], em: float = 8.5) -> list[list[Glyph]]:
    """Runs of table text: (baseline, left edge in em, text) each, set `em` big, with a body
    line of 10 pt beside them so the table's size is not the page's body size."""
    runs = [[g._replace(baseline=base, left=g.left * em / EM + x * em, right=g.right * em / EM + x * em, em=em)
             for g in line(text)] for base, x, text in rows]
    return runs + [line("国" * 60)]


def test_table_cells_keep_numbers_and_terms_whole():
    """A row at y 100 (three cells), its cells' second lines 12 pt (1.41 em) lower; the next row
    at y 83. What a second line continues is a break of its cell."""
    row = [(100, 0, "技术"), (100, 6, "16921.8"), (100, 12, "11.1%")]
    assert cell_breaks(cells(*row, (83, 0, "合计"), (83, 6, "22143.6"), (83, 12, "12.5%"))) == []
    broken = cells(*row, (88, 0, "开发"))
    assert cell_breaks(broken) == [("技术", "开发")]
    assert split_cells(broken) == ["a term broken: '技术' / '开发'"]
    assert split_cells(cells((100, 0, "阿波罗11"), (100, 6, "21.6"), (100, 12, "2.53"), (88, 0, "号"))) \
        == ["a number broken: '阿波罗11' / '号'"]
    # A term of more than six characters may break; so may a cell at a break between words,
    # and a head's unit in brackets goes on a line of its own.
    long = [(100, 0, "新型冠状病毒"), (100, 8, "21.6"), (100, 12, "2.53"), (88, 0, "信息库")]
    assert cell_breaks(cells(*long)) and split_cells(cells(*long)) == []
    assert split_cells(cells((100, 0, "金牛—"), (100, 6, "75.0"), (100, 12, "22.07"), (88, 0, "利特罗谷"))) == []
    assert cell_breaks(cells((100, 0, "经费"), (100, 6, "增长"), (100, 12, "比重"), (88, 0, "（亿元）"))) == []
    # Lines of a smaller size that are not a table (a quotation, two columns) are not cells.
    assert cell_breaks(cells((100, 0, "技术"), (100, 12, "研究"), (88, 0, "开发"))) == []
