"""The paragraph composer (press/linebreak.py) on its own: paragraphs set in a monospaced
measure (every character one unit wide), whose best breaks are known."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace


from press.linebreak import Glue, Params, Penalty, chinese, compose, english  # noqa: E402
from press.pagerules import NO_LINE_END, NO_LINE_START  # noqa: E402

PLAIN = Params(tolerance=100, fitness_demerits=0, last_line_demerits=0)


def mono(text: str) -> list[float]:
    return [float(i) for i in range(len(text) + 1)]


def set_lines(text: str, widths, params=Params(), hyphenate=lambda word, start: (),
              hyphen_cost: float | None = None) -> list[str] | None:
    """The lines of `text`; `hyphen_cost`: each hyphenated break costs this, not the house's
    penalty (linebreak.HYPHEN_PENALTY)."""
    paragraph = english(text, mono(text), 1.0, hyphenate)
    items = [replace(item, cost=hyphen_cost) if hyphen_cost is not None and isinstance(item, Penalty) and item.flagged
             else item for item in paragraph.items]
    breaks = compose(items, widths, params)
    if breaks is None:
        return None
    lines, start = [], 0
    for b in breaks:
        item = paragraph.items[b.index]
        end = paragraph.starts[b.index]
        line = text[start:end].rstrip(" ")
        lines.append(line + "-" if isinstance(item, Penalty) and item.width else line)
        start = end
    return lines


def greedy(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


def cost(lines: list[str], width: int) -> float:
    """The demerits of the paper with no fitness classes: (10 + 100 r³)² a line, the last free."""
    total = 0.0
    for line in lines[:-1]:
        spaces = line.count(" ")
        ratio = (width - len(line)) / spaces if spaces else (0 if len(line) == width else float("inf"))
        total += (10 + 100 * ratio ** 3) ** 2
    return total + 10 ** 2


def best_by_brute_force(words: list[str], width: int) -> float:
    best = float("inf")
    for cuts in itertools.product([False, True], repeat=len(words) - 1):
        lines, line = [], [words[0]]
        for word, cut in zip(words[1:], cuts):
            if cut:
                lines.append(" ".join(line))
                line = [word]
            else:
                line.append(word)
        lines.append(" ".join(line))
        if all(len(line) <= width for line in lines):
            best = min(best, cost(lines, width))
    return best


def test_total_fit_beats_greedy_on_a_known_paragraph():
    """Greedy fills the first line and leaves the second with 4 units in its one space;
    the best breaks move a word down and share the slack."""
    text = "a b cc dddd ee fff gggggg hhhh"
    assert greedy(text, 14) == ["a b cc dddd ee", "fff gggggg", "hhhh"]
    assert set_lines(text, [14], PLAIN) == ["a b cc dddd", "ee fff gggggg", "hhhh"]
    assert cost(set_lines(text, [14], PLAIN), 14) == best_by_brute_force(text.split(), 14)


def test_the_composer_finds_the_optimum_of_random_paragraphs():
    rng = random.Random(16)
    for _ in range(60):
        words = ["x" * rng.randint(1, 7) for _ in range(rng.randint(4, 13))]
        width = rng.randint(8, 20)
        text = " ".join(words)
        lines = set_lines(text, [width], PLAIN)
        best = best_by_brute_force(words, width)
        if best == float("inf"):
            assert lines is None
        else:
            assert [w for line in lines for w in line.split()] == words
            assert abs(cost(lines, width) - best) <= 1e-6 * best, (text, width, lines)


def test_a_paragraph_that_cannot_be_set_returns_none():
    assert set_lines("a bb abcdefghijklmnop cc", [10]) is None


def hyphen_run(lines: list[str]) -> int:
    run = longest = 0
    for line in lines:
        run = run + 1 if line.endswith("-") else 0
        longest = max(longest, run)
    return longest


def test_no_more_than_two_hyphenated_lines_in_a_row():
    text = " ".join(["abcdefghij"] * 12)
    every_other = lambda word, start: range(2, len(word) - 1, 2)  # noqa: E731
    for width in (18, 25):
        # TeX's hyphen penalty (50): hyphens cheap enough to come three in a row
        unlimited = set_lines(text, [width], Params(tolerance=10, max_hyphen_run=99), every_other, 50)
        assert hyphen_run(unlimited) >= 3  # so the limit has something to do
        lines = set_lines(text, [width], Params(tolerance=10), every_other, 50)
        assert 1 <= hyphen_run(lines) <= 2, lines
        words = "".join(line[:-1] if line.endswith("-") else line + " " for line in lines).split()
        assert words == text.split()


def test_no_one_word_last_line_where_it_can_be_avoided():
    text = "bbb ddddd fffffff aa cccc aa bbb aa fffffff"
    assert set_lines(text, [17], Params(last_line_demerits=0))[-1] == "fffffff"
    assert set_lines(text, [17]) == ["bbb ddddd fffffff", "aa cccc aa bbb", "aa fffffff"]


def test_each_line_has_its_own_width():
    text = "aaaa bbbb cccc dddd eeee ffff gggg"
    assert set_lines(text, [14], PLAIN)[0] == "aaaa bbbb cccc"
    indented = set_lines(text, [10, 14], PLAIN)
    assert len(indented[0]) <= 10 and all(len(line) <= 14 for line in indented)
    # Lines beside a float: three narrow ones, then the column.
    beside = set_lines(" ".join([text] * 3), [9, 9, 9, 30], PLAIN)
    assert all(len(line) <= 9 for line in beside[:3]) and max(map(len, beside[3:])) > 20


def set_chinese(text: str, width: int) -> list[str] | None:
    paragraph = chinese(text, mono(text), 1.0)
    breaks = compose(paragraph.items, [width], Params(tolerance=1, emergency_ratio=1e6, last_line_min_boxes=2))
    if breaks is None:
        return None
    lines, start = [], 0
    for b in breaks:
        lines.append(text[start:paragraph.starts[b.index]])
        start = paragraph.starts[b.index]
    return lines


def test_chinese_lines_keep_the_clreq_prohibitions():
    text = "我们在这里说，“合作”是唯一的出路。各国科学家应当携手，共同应对（疫情）挑战。好"
    for width in range(6, 14):
        lines = set_chinese(text, width)
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in NO_LINE_START, (width, lines)
            assert line[-1] not in NO_LINE_END, (width, lines)
        assert len(lines[-1]) > 1, (width, lines)


def test_chinese_gaps_stretch_up_to_the_cap_only():
    """Ten characters in a line of 10.5 em: nine gaps of 0.12 em can take the half em,
    so no line is short. Four in a line of 4.95 em: three gaps cannot take 0.95 em, every full line is short."""
    text = "中" * 40
    paragraph = chinese(text, mono(text), 1.0)
    assert all(g.stretch == 0.12 for g in paragraph.items[:-2] if isinstance(g, Glue))
    breaks = compose(paragraph.items, [10.5], Params(tolerance=1, emergency_ratio=1e6, last_line_min_boxes=2))
    assert all(b.ratio <= 1 for b in breaks)
    breaks = compose(paragraph.items, [4.95], Params(tolerance=1, emergency_ratio=1e6, last_line_min_boxes=2))
    assert all(b.ratio > 1 for b in breaks[:-1])


def test_chinese_western_word_is_not_broken():
    text = "研究发表在The\u2004Lancet杂志上，引起了广泛关注和讨论。"
    for width in range(8, 16):
        lines = set_chinese(text, width)
        for line in lines:
            assert not (line[0].isascii() and line[0].isalpha() and line[:3] not in ("The", "Lan")), lines
        assert "".join(lines) == text


def test_a_note_call_stays_with_the_word_before_it():
    """A call (styles/press.css starts it with a word joiner, U+2060) never starts a line, and
    the mark after it does not either: 。 and ：after a call end the line of the word before.
    Each width puts the call at a line's start unless it is glued."""
    call = "\u20601"
    text = f"我国科学家在月球样品研究方面取得进展{call}。此后研究人员又发表多项成果{call}：月壤成分和岩浆活动年代。"
    for width in range(5, 19):
        lines = set_chinese(text, width)
        assert "".join(lines) == text
        for line in lines:
            assert not line.startswith(call) and line[0] not in NO_LINE_START, (width, lines)
    # Without the joiner, a width that ends a line just before the call starts one with it.
    bare = text.replace(call, "1")
    assert any(line.startswith("1") for width in range(5, 19) for line in set_chinese(bare, width))


def test_letter_spacing_takes_part_of_the_slack():
    """Two words of ten letters and a space in a line of 24: 3 units of slack. The space alone
    would stretch to four times its width (ratio 3); with up to 0.1 between letters, the twenty
    letters take 2 units and the space 1 (ratio 1)."""
    text = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd"
    plain = compose(english(text, mono(text), 1.0).items, [24])
    tracked = compose(english(text, mono(text), 1.0, tracking=0.1).items, [24])
    assert [round(b.ratio, 6) for b in plain[:-1]] == [3.0]
    assert [round(b.ratio, 6) for b in tracked[:-1]] == [1.0]


def test_letter_spacing_leaves_the_last_line_rule_alone():
    text = "bbb ddddd fffffff aa cccc aa bbb aa fffffff"
    paragraph = english(text, mono(text), 1.0, tracking=0.01)
    breaks = compose(paragraph.items, [17])
    assert text[paragraph.starts[breaks[-2].index]:] == "aa fffffff"


def test_the_last_line_does_not_shrink():
    """Spaces may shrink in a justified line, but the last line is set at its natural width:
    it must fit as it is. 'aaaa bbbb cccc' is 14 wide, its two spaces could shrink to fit 13."""
    text = "aaaa bbbb cccc"
    paragraph = english(text, mono(text), 1.0, shrink=0.5)
    lines = compose(paragraph.items, [13])
    assert len(lines) == 2
    assert compose(paragraph.items, [14]) and len(compose(paragraph.items, [14])) == 1


def test_letters_that_close_up_let_a_line_keep_its_last_word():
    """Three words of ten letters in a line of 31: one unit too wide. Its two spaces, shrinking by
    a third, give 2/3 of a unit: the line would lose its last word and be stretched by ten units.
    With letters that may close up by 0.02 each (thirty letters: 0.6), it keeps the word, shrunk."""
    text = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee"
    spaces = compose(english(text, mono(text), 1.0, shrink=1 / 3).items, [31], PLAIN)
    letters = compose(english(text, mono(text), 1.0, shrink=1 / 3, tightening=0.02).items, [31], PLAIN)
    assert spaces[0].ratio > 1 and spaces[0].natural == 21
    assert letters[0].natural == 32 and -1 <= letters[0].ratio < 0
    assert abs(letters[0].ratio - (31 - 32) / (2 / 3 + 30 * 0.02)) < 1e-9


def test_a_stretched_line_costs_more_than_one_shrunk_as_far():
    """The first line may end short by 0.45 of its stretch, or long by 0.5 of its shrink. Even
    costs either way take the former; with stretch_badness 1.35 (0.45 x 1.35 > 0.5), the latter."""
    from press.linebreak import Box, paragraph_end

    items = [Box(6), Glue(1, 1, 1), Box(4.55), Glue(0.5, 0.5, 0), Box(0.45), Glue(1, 1, 1), Box(3), *paragraph_end()]
    even = compose(items, [12], Params(fitness_demerits=0, last_line_demerits=0))
    costlier = compose(items, [12], Params(fitness_demerits=0, last_line_demerits=0, stretch_badness=1.35))
    assert round(even[0].ratio, 6) == 0.45
    assert round(costlier[0].ratio, 6) == -0.5


def test_a_doi_in_running_text_breaks_after_its_prefix_only():
    """After "doi:" and after the slash of 10.NNNN/, with no hyphen; not inside the suffix, not in
    kbit/s, not in a number that is no DOI."""
    text = "see (doi:10.1007/s00376-020-0146-y) at 47.8 kbit/s and 10.5/6"
    found = {at: item for item, at in zip(english(text, mono(text), 1.0).items, english(text, mono(text), 1.0).starts)
             if at is not None and isinstance(item, Penalty) and at < len(text)}
    assert set(found) == {text.index("10.1007"), text.index("s00376")}
    assert all(item.width == 0 and not item.flagged for item in found.values())


def test_house_settings_keep_the_median_word_space_near_the_natural_on_technical_prose():
    """Issue 16's median (0.25-0.35 em) as the composer alone sets it, with the house's space
    stretch and shrink, letter spacing and costs (press/rules.py, press/paragraphs.ENGLISH), on
    the English paragraphs of the English-heavy sample issue (2020-12: addresses, DOIs, acronyms,
    long technical words) in the body's 25 em measure. Widths are a proportional face's rough
    ones (a letter 0.5 em, a narrow one 0.3, m and w 0.75, a space 0.26); hyphenation pyphen's,
    as the body's (6 2 3). With the spaces alone to shrink, by a quarter, and even costs either
    way (the settings before), the median was 0.353 em."""
    import re
    import statistics
    from pathlib import Path

    import pyphen

    from press.paragraphs import ENGLISH
    from press.rules import LETTER_TIGHTENING, LETTER_TRACKING, SPACE_SHRINK, SPACE_STRETCH, WORD_SPACE_MEDIAN

    space, measure, indent = 0.26, 25.0, 1.2
    dictionary = pyphen.Pyphen(lang="en_GB", left=2, right=3)

    def hyphenate(word: str, start: int):
        core = word.strip(".,;:()“”’'\"")
        if len(core) < 6 or not core.isalpha():
            return ()
        return [word.find(core) + k for k in dictionary.positions(core)]

    def widths(text: str) -> list[float]:
        x = [0.0]
        for c in text:
            x.append(x[-1] + (space if c == " " else 0.3 if c in "iljtf.,;:'’()" else 0.75 if c in "mwMW" else 0.5))
        return x

    spaces = []
    for source in sorted((Path(__file__).parent.parent / "content" / "2020-12").glob("*.en.md")):
        for text in source.read_text(encoding="utf-8").split("---", 2)[2].split("\n\n"):
            text = re.sub(r"[*\[\]]|\(https?://[^)]*\)|\[\^\d+\]", "", text.strip())
            if len(text) < 200 or text.startswith(("|", "!", "#")):
                continue
            paragraph = english(text, widths(text), 0.33, hyphenate, SPACE_SHRINK, LETTER_TRACKING, LETTER_TIGHTENING)
            breaks = compose(paragraph.items, [measure - indent, measure], ENGLISH)
            before = -1
            for b in breaks[:-1]:
                count = sum(1 for item in paragraph.items[before + 1:b.index] if isinstance(item, Glue) and item.width)
                if b.ratio > 0:
                    width = space * (1 + SPACE_STRETCH * b.ratio) + LETTER_TRACKING * min(1.5, b.ratio)
                else:
                    width = space * (1 + SPACE_SHRINK * b.ratio) + LETTER_TIGHTENING * b.ratio
                spaces += [width] * count
                before = b.index
    assert len(spaces) > 500
    assert WORD_SPACE_MEDIAN[0] <= statistics.median(spaces) <= WORD_SPACE_MEDIAN[1] - 0.02, statistics.median(spaces)


def test_no_line_ends_where_may_break_says_no():
    """The space before an inline box (a link, press/paragraphs.py) is no break: the line that
    would end there ends a word earlier (or takes the next word)."""
    text = "aaaa bbbb cccc dddd eeee ffff"
    assert set_lines(text, [14], PLAIN) == ["aaaa bbbb cccc", "dddd eeee ffff"]
    paragraph = english(text, mono(text), 1.0, may_break=lambda at: at != text.index("dddd"))
    breaks = compose(paragraph.items, [14], PLAIN)
    assert [paragraph.starts[b.index] for b in breaks] == [text.index("cccc"), text.index("ffff"), len(text)]
