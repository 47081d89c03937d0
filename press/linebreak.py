"""Total-fit line breaking (Knuth & Plass, "Breaking paragraphs into lines", 1981).

WeasyPrint, like every CSS engine, breaks a paragraph greedily: each line
takes as much as fits, so the slack falls wherever it happens to fall and a
narrow justified column gets lines with holes between the words. This module
chooses all the breaks of a paragraph together, the way TeX does: the
paragraph is a list of boxes (what is drawn), glue (space that may stretch
or shrink) and penalties (places where a break costs something, or is
forbidden); among all feasible sets of breaks it finds the one with the
fewest demerits. It knows nothing of WeasyPrint or fonts: widths come in as
numbers (press/paragraphs.py measures them as WeasyPrint draws them).

Beyond the paper:
- at most `max_hyphen_run` flagged (hyphenated) lines in a row, as a hard rule;
- the last line: `last_line_demerits` when it holds one word only (no glue
  of its own), and never a single box when `last_line_min_boxes` is 2
  (Chinese: never one character alone);
- a line that needs more stretch than the tolerance is infeasible in the
  first pass; a second pass accepts it up to `emergency_ratio` (Chinese
  lines are then left short at the cap, English spaces widen), each such line
  costing `loose_demerits`, so that there are as few as can be. A paragraph
  with no feasible set even then (a box wider than its line) gets None, and
  the caller keeps its own composition;
- the last line is set at its natural width (it is not justified): it may
  not shrink;
- the badness of a stretched line may weigh more than that of a shrunk one
  (`stretch_badness`), where a line can stretch much further than it can shrink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Sequence, Union

from .rules import (CJK_PUNCTUATION, INSEPARABLE, MAX_HYPHENATED_LINES, MAX_SPACING, NO_LINE_END, NO_LINE_START,
                    OPENING_MARKS, SPACE_STRETCH, THIRD_EM, WORD_JOINER, cjk_flags)

if TYPE_CHECKING:
    from .session import Bounded

INFINITY = 10_000  # a penalty of this size forbids a break; its negative forces one
# WORD_JOINER allows no break on either side: it glues a note's call to the word before it
# (styles/press.css), where the call's box and the text's meet and `may_break` would see a break
# between two boxes.


@dataclass(frozen=True)
class Box:
    width: float


@dataclass(frozen=True)
class Glue:
    width: float
    stretch: float
    shrink: float = 0.0


@dataclass(frozen=True)
class Penalty:
    width: float  # drawn only if the line breaks here (a hyphen)
    cost: float
    flagged: bool = False  # a hyphenated break


Item = Union[Box, Glue, Penalty]


@dataclass(frozen=True)
class Params:
    tolerance: float = 1.0  # the largest adjustment ratio of the first pass
    emergency_ratio: float = 8.0  # of the second pass
    line_penalty: float = 10.0
    flagged_demerits: float = 3000.0  # two hyphenated lines in a row
    fitness_demerits: float = 100.0  # a line much looser or tighter than the one before
    max_hyphen_run: int = MAX_HYPHENATED_LINES
    last_line_demerits: float = 50_000.0  # a last line of one word
    last_line_min_boxes: int = 1  # 2: a last line of one box is infeasible
    loose_demerits: float = 1e7  # a line beyond the tolerance, in the second pass: as few as can be
    loose_gap: float = 0.0  # ... counted as loose only if, stretched to the tolerance, it still falls this short
    looseness: int = 0  # TeX's \looseness: this many lines more (or fewer) than the best, where the tolerance allows
    # Limits tried, in order, between the tolerance and the emergency ratio: a paragraph with no
    # breaks within the tolerance is set with its loosest line as tight as can be (two lines at
    # 1.2 rather than one at 1.8), as TeX's \emergencystretch does; then as few such lines as can be.
    emergency_steps: tuple[float, ...] = ()
    # The badness of a stretched line is that of a line shrunk by `stretch_badness` times its ratio.
    stretch_badness: float = 1.0


@dataclass(frozen=True)
class Break:
    index: int  # the item the line ends at (a glue or a penalty)
    natural: float  # the line's width before its glue is stretched
    ratio: float  # how much the line's glue is stretched (>0) or shrunk (<0), of what it may


def paragraph_end() -> list[Item]:
    """What every paragraph ends with: glue that fills the last line, and a forced break."""
    return [Penalty(0, INFINITY), Glue(0, 1e9), Penalty(0, -INFINITY)]


def compose(items: Sequence[Item], widths: Sequence[float], params: Params = Params(),
            kept: "Bounded | None" = None) -> list[Break] | None:
    """The breaks with the fewest total demerits, or None if there is no feasible set.
    `widths[j]` is the width of line j; the last one holds for every line after it.
    `items` must end with `paragraph_end()`. `kept`: the breaks found before (press.session.Composing)."""
    # The same items composed again (the make-up asks of a paragraph set already, and serve's
    # next build sets every paragraph but the edited one from the items it made: paragraphs.py)
    # find their breaks here; the items are kept with them, so that their id stays their own.
    key = (id(items), tuple(widths), params) if kept is not None and isinstance(items, tuple) else None  # a list may change
    known = kept.find(key) if key is not None else None
    if known is not None and known[0] is items:
        return None if known[1] is None else list(known[1])
    found = None
    steps = [step for step in params.emergency_steps if params.tolerance < step < params.emergency_ratio]
    for limit in (params.tolerance, *steps, params.emergency_ratio):
        # Looseness only within the tolerance, as TeX: a paragraph that needs the second pass
        # is set as well as it can be, at its best number of lines.
        found = _compose(items, widths, params if limit == params.tolerance else replace(params, looseness=0), limit)
        if found is not None:
            break
    if key is not None:
        kept.keep(key, (items, None if found is None else tuple(found)))
    return found


class _Node:
    """A feasible break, with the best way to reach it (a class with slots: the search makes and
    reads thousands a paragraph)."""

    __slots__ = ("position", "line", "fitness", "hyphens", "width", "stretch", "shrink", "demerits", "previous",
                 "natural", "ratio")

    def __init__(self, position, line, fitness, hyphens, width, stretch, shrink, demerits, previous, natural, ratio):
        self.position = position  # the index of the break (-1: the start)
        self.line = line  # lines before this break
        self.fitness, self.hyphens = fitness, hyphens  # hyphens: flagged lines in a row ending here
        self.width, self.stretch, self.shrink = width, stretch, shrink  # the totals after the break
        self.demerits, self.previous, self.natural, self.ratio = demerits, previous, natural, ratio


def _compose(items, widths, params, limit):
    # The inner loop of every paragraph set, and of every looseness the make-up asks about: kept
    # lean (the parameters read into locals, the legal breaks listed once, the active nodes a list
    # in the order they were made, as the dict that held them kept them), the arithmetic the same
    # and in the same order, so the same breaks to the last bit (the 494 compositions of the four
    # sample issues compared with the dict's: 0.34 -> 0.25 CPU-s).
    n = len(items)
    # Totals of width, stretch and shrink of the items before each index; and of glue and boxes.
    width, stretch, shrink, glues, boxes = ([0.0] * (n + 1) for _ in range(5))
    is_box = [False] * n
    candidates = []  # (index, cost, width drawn if broken there, flagged) of every legal break
    previous_box = False
    for i, item in enumerate(items):
        width[i + 1], stretch[i + 1], shrink[i + 1] = width[i], stretch[i], shrink[i]
        glues[i + 1], boxes[i + 1] = glues[i], boxes[i]
        kind = type(item)
        if kind is Box:
            width[i + 1] += item.width
            boxes[i + 1] += 1
            is_box[i] = True
        elif kind is Glue:
            width[i + 1] += item.width
            stretch[i + 1] += item.stretch
            shrink[i + 1] += item.shrink
            glues[i + 1] += item.width > 0  # a space (not the stretch between letters)
            if i and previous_box:
                candidates.append((i, 0.0, 0.0, False))
        elif item.cost < INFINITY:
            candidates.append((i, item.cost, item.width, item.flagged))
        previous_box = kind is Box
    final_glue = n - 2  # the paragraph_end() glue

    def after(position: int) -> tuple[float, float, float, int]:
        """The totals at the start of the line after a break: discardable items dropped."""
        i = position + 1
        while i < n and not is_box[i]:
            if type(items[i]) is Penalty and items[i].cost <= -INFINITY and i > position + 1:
                break
            i += 1
        return width[i], stretch[i], shrink[i], i

    tolerance, looseness, max_hyphen_run = params.tolerance, params.looseness, params.max_hyphen_run
    stretch_badness, line_penalty, flagged_demerits = params.stretch_badness, params.line_penalty, params.flagged_demerits
    fitness_demerits, loose_demerits, loose_gap = params.fitness_demerits, params.loose_demerits, params.loose_gap
    last_line_min_boxes, last_line_demerits = params.last_line_min_boxes, params.last_line_demerits
    last_width = len(widths) - 1
    lines_apart = len(widths)  # without a looseness, paragraphs of this many lines or more compete
    active = [_Node(-1, 0, 1, 0, 0.0, 0.0, 0.0, 0.0, None, 0.0, 0.0)]
    line_start = {-1: 0}
    inf = float("inf")

    for b, cost, extra, flagged in candidates:
        forced = cost <= -INFINITY
        last = forced and b == n - 1
        width_b, stretch_b, shrink_b = width[b], stretch[b], shrink[b]
        # The cost's share of a break's demerits, the same for every line that ends here.
        penalty = cost ** 2 if cost > 0 else -cost ** 2 if cost > -INFINITY else None
        best: dict[tuple, tuple[float, _Node, float, float]] = {}
        kept = []
        for node in active:
            line = node.line
            target = widths[line if line < last_width else last_width]
            natural = width_b - node.width + extra
            if natural < target:
                room = stretch_b - node.stretch
                ratio = (target - natural) / room if room > 0 else inf
            elif natural > target:
                room = shrink_b - node.shrink
                ratio = (target - natural) / room if room > 0 else -inf
            else:
                ratio = 0.0
            if ratio < -1:
                continue  # no later break can make this line short enough
            if forced:  # the node's last break: its line ends here or nowhere
                if ratio > limit or natural > target:
                    continue  # (a paragraph's last line is not justified: it cannot shrink)
            else:
                kept.append(node)
                if ratio > limit:
                    continue
            hyphens = node.hyphens + 1 if flagged else 0
            if hyphens > max_hyphen_run:
                continue
            if last:  # (begin: read for the last line alone)
                begin = line_start[node.position]
                if boxes[b] - boxes[begin] < last_line_min_boxes:
                    continue
            badness = 100 * abs(ratio * stretch_badness if ratio > 0 else ratio) ** 3
            demerits = (line_penalty + badness) ** 2
            if penalty is not None:
                demerits += penalty
            if flagged and node.hyphens:
                demerits += flagged_demerits
            fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
            if abs(fitness - node.fitness) > 1:
                demerits += fitness_demerits
            if ratio > tolerance and target - natural - tolerance * (stretch_b - node.stretch) >= loose_gap:
                demerits += loose_demerits
            if last and glues[final_glue] - glues[begin] == 0:
                demerits += last_line_demerits
            total = node.demerits + demerits
            # With a looseness, paragraphs of every length are kept apart (TeX does the same).
            new_key = (line + 1 if looseness or line < lines_apart else lines_apart, fitness, hyphens)
            found = best.get(new_key)
            if found is None or total < found[0]:
                best[new_key] = (total, node, natural, ratio)
        active = kept
        if best:
            w, st, sh, begin = after(b)
            line_start[b] = begin
            for (line, fitness, hyphens), (total, node, natural, ratio) in best.items():
                active.append(_Node(b, node.line + 1, fitness, hyphens, w, st, sh, total, node, natural, ratio))
        if not active:
            return None

    ends = [node for node in active if node.position == n - 1]
    if not ends:
        return None
    node = min(ends, key=lambda node: node.demerits)
    if looseness:
        # TeX's rule: the number of lines nearest the best one's plus the looseness, on the way
        # from the best one; the fewest demerits among those.
        wanted = node.line + looseness
        node = min(ends, key=lambda end: (abs(end.line - wanted), end.demerits))
    breaks = []
    while node.previous is not None:
        breaks.append(Break(node.position, node.natural, node.ratio))
        node = node.previous
    return breaks[::-1]


# Building the items of a paragraph. `x` holds the pen position before each character of
# `text` and after the last (len(text) + 1 numbers), as the text is drawn unbroken: the
# width of text[a:b] is x[b] - x[a]. `starts[i]` is where the line after a break at item i
# begins in `text` (None for items that are not breaks).

# A space stretches by SPACE_STRETCH of its own width: a ratio of 1 doubles it (about 0.52 em).
ZERO_WIDTH_SPACE = "\u200b"
ADDRESS_PENALTY = 50.0  # a break inside a printed address (at a <wbr>): no hyphen drawn, but a word cut
# TeX has 50; more keeps the hyphenated line ends fewer than greedy breaking left. With letters that
# close up and a costlier stretch (press/paragraphs.ENGLISH) the composer, given 400 rather than 200,
# set the sample issues' English paragraphs with 13 hyphenated ends rather than 19 on 2020-02, 22
# rather than 27 on 2020-12, their median word space about 0.01 em wider.
HYPHEN_PENALTY = 400.0
# A DOI in running text: "doi:" (group 1), then the directory indicator and registrant code up to
# the slash (group 2).
DOI = re.compile(r"(?:(doi:)|(?<![\w.]))(10\.\d{4,9}/)(?=\S)", re.IGNORECASE)
CJK_STRETCH = MAX_SPACING  # em per gap between Chinese characters: what composition may spread


@dataclass(frozen=True)
class Paragraph:
    items: tuple[Item, ...]
    starts: tuple[int | None, ...]


def english(text: str, x: Sequence[float], hyphen: float,
            hyphenate: Callable[[str, int], Sequence[int]] = lambda word, start: (), shrink: float = 0.0,
            tracking: float = 0.0, tightening: float = 0.0, may_break: Callable[[int], bool] = lambda at: True) -> Paragraph:
    """Words between spaces; a word breaks after a hyphen between two letters, after a
    zero-width space (a <wbr>), or at the points `hyphenate(part, start in text)` gives for
    each part between those (offsets inside the part), where a hyphen `hyphen` wide is added. A space stretches by SPACE_STRETCH of its width and shrinks by
    `shrink` of it; the letters of a word may move apart by `tracking` each, or closer by
    `tightening` (glue before the word that is no break: it follows a penalty or a space). A
    space is no break where `may_break(index of the character after it)` says no."""
    items: list[Item] = []
    starts: list[int | None] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            j = i
            while j < len(text) and text[j] == " ":
                j += 1
            if items:
                if j < len(text) and not may_break(j):
                    items.append(Penalty(0.0, INFINITY))  # glue after a penalty is no break
                    starts.append(None)
                items.append(Glue(x[j] - x[i], SPACE_STRETCH * (x[j] - x[i]), shrink * (x[j] - x[i])))
                starts.append(j)
            i = j
            continue
        j = text.find(" ", i)
        j = len(text) if j < 0 else j
        word = text[i:j]
        cuts = {k for k in range(2, len(word) - 1)
                if word[k - 1] == "-" and word[k - 2].isalpha() and word[k].isalpha()}
        # A <wbr> (WeasyPrint draws it as a zero-width space): where press/markup.py lets a
        # printed address break, without a hyphen.
        cuts |= {k for k in range(1, len(word)) if word[k - 1] == ZERO_WIDTH_SPACE}
        # A DOI printed as text (not a link, which has its <wbr>s) breaks as an address does, after
        # "doi:" and after the slash between its prefix and its suffix: where the line breaker also
        # breaks (UAX #14), and where a careful setter would, rather than leave it whole.
        doi = {m.end(g) for m in DOI.finditer(word) for g in (1, 2) if 0 < m.end(g) < len(word)}
        cuts |= doi
        # Each part of a compound hyphenates as a word: WeasyPrint, past the break after a
        # compound's hyphen, hyphenates the part that follows it ("data-assim-ilation").
        bounds = [0, *sorted(cuts), len(word)]
        points = {a + k for a, b in zip(bounds, bounds[1:]) for k in hyphenate(word[a:b], i + a) if 0 < k < b - a}
        last = 0

        def letters(count: int) -> None:
            if tracking or tightening:
                if items and isinstance(items[-1], Box):
                    items.append(Penalty(0.0, INFINITY))
                    starts.append(None)
                items.append(Glue(0.0, count * tracking, count * tightening))
                starts.append(None)

        for k in sorted(cuts | points):
            letters(k - last)
            items.append(Box(x[i + k] - x[i + last]))
            starts.append(None)
            if k in points:
                items.append(Penalty(hyphen, HYPHEN_PENALTY, True))
            elif word[k - 1] == ZERO_WIDTH_SPACE or k in doi:
                items.append(Penalty(0.0, ADDRESS_PENALTY))
            else:
                items.append(Penalty(0.0, HYPHEN_PENALTY, True))
            starts.append(i + k)
            last = k
        letters(j - i - last)
        items.append(Box(x[j] - x[i + last]))
        starts.append(None)
        i = j
    if items and isinstance(items[-1], Glue):
        items.pop()
        starts.pop()
    items += paragraph_end()
    starts += [None, None, len(text)]
    return Paragraph(tuple(items), tuple(starts))


# As press/composition.py takes them: marks of a 'chws' pair, which do not widen.
_is_mark = CJK_PUNCTUATION.__contains__


def chinese(text: str, x: Sequence[float], em: float, may_break: Callable[[int], bool] = lambda at: True) -> Paragraph:
    """One box a character (a Western word, or a space, is one box too); between two boxes a
    break unless clreq forbids it [#prohibition_rules_for_line_start_end] (not before a closing
    mark, not after an opening
    one, not inside ―― or ……, not before a space), a word joiner stands on either side (a
    note's call) or `may_break(index)` says no. Between two CJK characters that are not both
    marks the gap may widen by up to CJK_STRETCH em (the pairs of 'chws' stay tight), as it
    may after the U+2004 word spaces of a Western name (press/clreq.py). An opening mark that
    starts a line loses its blank half (press/composition.py): it is glue, dropped at a
    break, and its ink a box. A mark set half wide beside another ('chws') is full width
    again when a line ends with it."""
    items: list[Item] = []
    starts: list[int | None] = []
    cjk = cjk_flags(text)  # asked of each character up to four times below
    i = 0
    while i < len(text):
        j = i + 1
        if not cjk[i] and not text[i].isspace():
            while j < len(text) and not cjk[j] and not text[j].isspace() and text[j - 1] != ZERO_WIDTH_SPACE:
                j += 1  # a Western word, or a printed address up to its next <wbr>
        width = x[j] - x[i]
        if text[i] in OPENING_MARKS and cjk[i] and i:
            blank = min(em / 2, width)
            if isinstance(items[-1], Penalty) and items[-1].cost >= INFINITY or isinstance(items[-1], Box):
                items.append(Penalty(0.0, INFINITY))
                starts.append(None)
            items.append(Glue(blank, 0.0))
            starts.append(None)
            width -= blank
        items.append(Box(width))
        starts.append(None)
        if j < len(text):
            a, b = text[j - 1], text[j]
            allowed = b not in NO_LINE_START and a not in NO_LINE_END and not (a == b and a in INSEPARABLE) \
                and not b.isspace() and WORD_JOINER not in (a, b) and may_break(j)
            widens = (cjk[j - 1] and cjk[j] and not (_is_mark(a) and _is_mark(b))) \
                or (a == THIRD_EM and b.isalnum())
            end_width = em - (x[j] - x[j - 1]) if _is_mark(a) and x[j] - x[j - 1] < 0.9 * em else 0.0
            if widens:
                items.append(Penalty(end_width, 0.0 if allowed else INFINITY))
                starts.append(j if allowed else None)
                items.append(Glue(0.0, CJK_STRETCH * em))
                starts.append(None)
            elif allowed:
                items.append(Penalty(end_width, 0.0))
                starts.append(j)
        i = j
    items += paragraph_end()
    starts += [None, None, len(text)]
    return Paragraph(tuple(items), tuple(starts))
