"""Total-fit paragraphs in WeasyPrint: the breaks of press/linebreak.py, set by WeasyPrint.

WeasyPrint fills each line greedily. Rather than replace its line layout (inline boxes,
footnote calls, floats, hyphenation, justification, pagination all live there), this module
changes one number: before WeasyPrint lays out a line of a justified English or Chinese
paragraph, the width it may fill is set to the width the composer chose for that line (plus
a little). Greedy filling then stops exactly at the chosen break, since the next break
opportunity is at least a letter further, and the line is justified to the real column
width as before: spaces shrink if the chosen line is a little wider than the column, and an
English line may also spread its letters by up to TRACKING, or close them up by up to
TIGHTENING (WeasyPrint justifies with spaces alone). Everything else is WeasyPrint's own.

The widths the composer works with are WeasyPrint's: each text box of the paragraph is
shaped once by Pango (HarfBuzz, the same fonts, features and letter spacing that will be
drawn), unbroken, and the pen position before every character is read from its glyphs.
Hyphenation points come from pyphen with the box's hyphenate-limit-chars, as WeasyPrint
takes them; Chinese breaks are those clreq and Pango both allow.

Plans are kept by where a line starts. A line that does not start where the plan says (a
float narrowed it, a measurement was off) gets a new plan from there on. A paragraph the
composer cannot set (no feasible breaks, an inline block, a preserved line break) is left
to WeasyPrint: both are logged (press.paragraphs, at debug and info level). Each line box made is marked
with who set it (press_set_by: "planned", "replanned", "shortened" or why WeasyPrint did);
census() counts them on the finished pages, and every typeset part carries that count
(press.typeset.TypesetPart.composer, read by tools/clreq_report.py --issue).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from .linebreak import Params, chinese, compose, english
from .rules import LETTER_TIGHTENING as TIGHTENING, LETTER_TRACKING as TRACKING, OPENING_MARKS, SPACE_SHRINK as SHRINK

if TYPE_CHECKING:
    from .session import Composing

LOGGER = logging.getLogger(__name__)
# 1.1 widens a 0.26 em space to 0.55 em, 0.57 with its letter spacing. A line may stretch about
# twice as far as it may shrink (in em): with the badness even in the ratio either way, the composer
# would widen spaces more often than it narrows them, and the median space would drift from the
# natural one (0.39 em on 2020-12's technical prose). A stretched line costs as a shrunk one at
# STRETCH_BADNESS times its ratio.
STRETCH_BADNESS = 1.35
ENGLISH = Params(tolerance=1.1, emergency_steps=(1.3, 1.6, 2.0, 3.0), stretch_badness=STRETCH_BADNESS)
CHINESE = Params(tolerance=1.0, emergency_ratio=1e4, last_line_min_boxes=2)  # beyond 1: a short line
CHINESE_SHORT = 1.0  # em: a line this short after the stretch counts as a short line (see linebreak.Params.loose_gap)
# A space shrinks by SHRINK of its width (WeasyPrint justifies by changing the spaces only, either
# way); letters move apart by TRACKING em at most in a justified English line, or closer by
# TIGHTENING (added here, WeasyPrint has neither).
# A line stretched beyond the tolerance (a paragraph with no better breaks) spreads its letters as
# the composer counted them, up to this ratio (0.03 em), rather than leave it all to the spaces.
TRACKING_RATIO = 1.5
LOOSER_RATIO = 0.8  # a paragraph set a line longer by the make-up: its spaces at most 1.8 times their width
LOOSENESS = "data-looseness"  # the attribute of a paragraph that asks for lines more or fewer
SLACK = 0.15  # em beyond the chosen line end that the line may fill: less than a space and a letter


class _Unsupported(Exception):
    """A paragraph the composer leaves to WeasyPrint; its text says why."""


def install() -> None:
    """Patch WeasyPrint (already imported) so justified paragraphs break where the composer
    says (see the module's text)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    if getattr(inline, "_press_total_fit", False):
        return
    inline._press_total_fit = True
    get_next_linebox, split_inline_box, text_align = inline.get_next_linebox, inline.split_inline_box, inline.text_align
    limit = [None]  # the width and letter spacing of the line being laid out, if planned

    def split_within_plan(context, box, position_x, max_x, *args):
        if limit[0] is not None and isinstance(box, boxes.LineBox):
            max_x = position_x + limit[0][0]
        return split_inline_box(context, box, position_x, max_x, *args)

    def align_within_plan(context, line, available_width, last):
        if limit[0] is not None and not last and line.style["text_align_all"] == "justify":
            tracking = limit[0][1]
            if tracking > 0 and line.width < available_width or tracking < 0 and line.width > available_width:
                _add_tracking(context, line, tracking, 0, boxes)
            if line.width > available_width:  # a planned line may be a little wider: its spaces shrink
                inline.justify_line(context, line, available_width - line.width)
                return 0
        return text_align(context, line, available_width, last)

    def next_planned_linebox(context, linebox, position_y, bottom_space, skip_stack, containing_block, *args):
        outer = limit[0]  # a footnote laid out inside this line has lines of its own
        limit[0], how, planned = _planned_width(context, linebox, skip_stack, containing_block, inline, boxes)
        try:
            line, resume_at = get_next_linebox(context, linebox, position_y, bottom_space, skip_stack,
                                               containing_block, *args)
            shorter = planned is not None and resume_at is not None and _ended_early(linebox, resume_at, planned, boxes)
            if shorter:
                # A line that ends at a space just before an inline box (a link) that does not fit
                # after it: WeasyPrint, looking back for a break, cuts the line after its first
                # word, planned or not. The line one word shorter ends inside the text, where
                # WeasyPrint breaks as planned; the next line gets a new plan from there.
                limit[0], how = (shorter, limit[0][1]), "shortened"
                line, resume_at = get_next_linebox(context, linebox, position_y, bottom_space, skip_stack,
                                                   containing_block, *args)
        finally:
            limit[0] = outer
        if line is not None:
            line.press_set_by = how  # read back from the finished pages by census()
        return line, resume_at

    inline.get_next_linebox = next_planned_linebox
    inline.split_inline_box = split_within_plan
    inline.text_align = align_within_plan


class _Paragraph:
    """The text of a line box's paragraph, its widths, and the plans made for it."""

    def __init__(self, context, linebox, boxes):
        self.lengths: dict[int, int] = {}  # characters of the text in each box
        self.styles: dict[int, object] = {}  # where each text box starts: its style
        self.texts: list[str] = []
        self.x = [0.0]
        self.breaks: set[int] = set()  # where Pango may break a line
        # Where an inline box (a link, an emphasis) starts after other text. WeasyPrint cannot end a
        # line at the space before one whose first word does not fit: it looks back for a break
        # inside the text before and cuts the line after its first word (_ended_early then sets it a
        # word short, a loose line). The composer plans no English line end there.
        self.inline_starts: set[int] = set()
        self.chinese = (linebox.style["lang"] or "").lower().startswith("zh")
        self._tied = False  # the last text box read was nowrap: no break before the next one
        self._read(context, linebox, boxes)
        self.text = "".join(self.texts)
        self.font_size = linebox.style["font_size"]
        self.hyphen = _advances(context, "-", linebox.style)[0][-1]
        # A line more or fewer than the best breaks give (press/makeup.py asks, to make a page).
        element = getattr(linebox, "element", None)
        self.element = element
        self.first_set = None  # (items, widths, params, (text, starts), breaks kept) of its best lines, for the make-up (plans_of)
        self.looseness = int(element.get(LOOSENESS, 0)) if element is not None else 0
        # (line start, column) → the line's natural width, letter spacing, whether a plan made again set
        # it, and where the next line starts
        self.plans: dict[tuple[int, float], tuple[float, float, str, int] | None] = {}
        self.version = 0  # plans made so far: a plan made may change the answer for any line after it
        self._sums: dict[int, tuple[list, list[int]]] = {}  # id(children) → (children, _before's sums)
        self._starts: list[int] | None = None  # the styles' starts, in order (_style_at)

    def _read(self, context, box, boxes) -> None:
        for child in box.children:
            before = len(self.x) - 1
            if isinstance(child, boxes.TextBox):
                marker = (child.element_tag or "").endswith("::marker")  # '1. ', pre-wrap: no break in it
                if "\n" in child.text:
                    raise _Unsupported("a preserved line break")
                # nowrap: a printed address's "-d" tied (press/markup.py), no break in it or after it
                nowrap = child.style["white_space"] == "nowrap" and " " not in child.text
                if not (child.style["white_space"] == "normal" or marker or nowrap):
                    raise _Unsupported(f"white-space: {child.style['white_space']}")
                self.styles[before] = child.style
                self.texts.append(child.text.replace(" ", "\u00a0") if marker else child.text)
                base = self.x[-1]
                positions, breaks = _advances(context, child.text, child.style)
                self.x.extend(base + a for a in positions[1:])
                if not nowrap:
                    self.breaks.update(before + k for k in breaks)
                if not self._tied:
                    self.breaks.add(before)  # between two boxes: WeasyPrint asks the text on both sides
                self._tied = nowrap
            elif isinstance(child, boxes.InlineBox):
                if before:
                    self.inline_starts.add(before)
                if any(child.style[f"{what}_{side}"] != 0 and getattr(child.style[f"{what}_{side}"], "value", 1)
                       for what in ("margin", "padding") for side in ("left", "right")) \
                        or child.style["border_left_width"] or child.style["border_right_width"]:
                    # its edges would take room the composer does not see
                    raise _Unsupported(f"an inline <{_tag(child)}> with a margin, padding or border")
                self._read(context, child, boxes)
            elif child.is_in_normal_flow():  # its width is not text's
                raise _Unsupported(f"an inline block or image <{_tag(child)}>")
            self.lengths[id(child)] = len(self.x) - 1 - before

    def offset(self, box, skip_stack, boxes) -> int:
        """Where in the paragraph's text a skip stack points."""
        if skip_stack is None:
            return 0
        (index, inner), = skip_stack.items()
        if isinstance(box, boxes.TextBox):
            return len(box.text.encode()[:index].decode())
        return self._before(box)[index] + self.offset(box.children[index], inner, boxes)

    def _before(self, box) -> list[int]:
        """The characters before each child of `box` (a box of this paragraph), summed once: a
        line's start is asked for each line set, and the line box of a paragraph of 1,000 links
        has 4,000 children (summed each time: 2 % of such a build)."""
        children = box.children  # a copy of the box shares its list
        found = self._sums.get(id(children))
        if found is None or found[0] is not children:
            sums = [0]
            for child in children:
                sums.append(sums[-1] + self.lengths[id(child)])
            found = self._sums[id(children)] = (children, sums)
        return found[1]

    def plan(self, context, start: int, first: float, width: float) -> None:
        """Breaks from `start` on (the first line `first` wide, the others `width`): each
        line's natural width, by where it starts."""
        self.version += 1
        def hyphenate(word: str, at: int):
            style = self._style_at(start + at)
            if style["hyphens"] != "auto" or not style["lang"]:
                return ()
            lead = next((k for k, c in enumerate(word) if c.isalpha()), len(word))
            end = len(word) - next((k for k, c in enumerate(reversed(word)) if c.isalpha()), len(word))
            total, left, right = style["hyphenate_limit_chars"]
            if end - lead < total or not word[lead:end].isalpha():
                return ()
            return [lead + k for k in _dictionary(context, style["lang"], left, right, total).positions(word[lead:end])]

        x = [p - self.x[start] for p in self.x[start:]]
        # The items are a function of the text, its widths and where it may break (and, in English,
        # how each word hyphenates): the same paragraph in another build (serve's next, after an
        # edit elsewhere; the boxes built again after a float moved) gets the very items made
        # before, and linebreak.compose the breaks it found for them.
        if self.chinese:
            key = (self.text[start:], tuple(x), self.font_size, frozenset(b - start for b in self.breaks if b >= start))
            rest = _made(context, key, lambda: chinese(self.text[start:], x, self.font_size, lambda at: start + at in self.breaks))
            params = replace(CHINESE, loose_gap=CHINESE_SHORT * self.font_size)
        else:
            key = (self.text[start:], tuple(x), self.font_size, self.hyphen,
                   frozenset(k - start for k in self.inline_starts if k >= start),
                   tuple((k - start, s["hyphens"], s["lang"], s["hyphenate_limit_chars"]) for k, s in self.styles.items()))
            rest = _made(context, key, lambda: english(self.text[start:], x, self.hyphen, hyphenate, SHRINK, TRACKING * self.font_size,
                                              TIGHTENING * self.font_size, lambda at: start + at not in self.inline_starts))
            params = ENGLISH
        # The looseness is of the whole paragraph: a plan made again mid-paragraph keeps its best lines.
        composing = _composing(context)
        kept = composing.breaks if composing is not None else None
        breaks = compose(rest.items, (first, width), replace(params, looseness=self.looseness if start == 0 else 0), kept)
        if start == 0 and self.element is not None and not self.looseness:
            # Kept for the page make-up, which asks of a few whether they have a line to spare.
            self.first_set = (rest.items, (first, width), params, (self.text, rest.starts), kept)
        if breaks is None:
            LOGGER.info("no feasible breaks, WeasyPrint's own lines for %r", self.text[start:start + 60])
            self.plans[(start, width)] = None
            return
        for b in breaks:
            if b.ratio > params.tolerance:  # the second pass: a loose English line, a short Chinese one
                LOGGER.info("a line beyond the tolerance (%.2f): %r", b.ratio, self.text[start:start + 50])
        line_start = start
        for b in breaks:
            natural = b.natural
            if self.chinese and line_start != start and self.text[line_start] in OPENING_MARKS:
                # The composer counts the mark's blank half as dropped at the line start, but
                # WeasyPrint drops it only once the line is made (press/composition.py).
                natural += self.font_size / 2
            # Letters take their share of the line's stretch or shrink as the composer counted it
            # (a shrunk line's ratio is at least -1); the spaces take the rest.
            tracking = 0.0 if self.chinese else self.font_size * (
                TRACKING * min(TRACKING_RATIO, b.ratio) if b.ratio > 0 else TIGHTENING * b.ratio)
            end = start + rest.starts[b.index]
            self.plans[(line_start, width)] = (natural, tracking, "replanned" if start else "planned", end)
            line_start = end

    def _style_at(self, at: int):
        if self._starts is None:
            self._starts = list(self.styles)  # read in the text's order: ascending
        return self.styles[self._starts[bisect_right(self._starts, at) - 1]]


def _composing(context) -> "Composing | None":
    """What the typesetter keeps of the paragraphs it set, which press/relayout.py hands to the
    layout (none for a layout of WeasyPrint's own making: the covers, the contents)."""
    return getattr(context, "press_composing", None)


def _made(context, key: tuple, make):
    """The items of a paragraph's text (linebreak.Paragraph), made once for the same `key`."""
    kept = _composing(context)
    return make() if kept is None else kept.items.get(key, make)


def plans_of(document) -> dict:
    """What the composer was given for each paragraph of a laid-out document, as it set it
    (at its best number of lines): id(element) → (element, items, widths, params, (text, where
    the line after each item's break starts in it), the breaks kept). Read from
    the line boxes, which carry their paragraph (press_paragraph), so that no state outlives
    the document."""
    found: dict = {}

    def walk(box) -> None:
        paragraph = getattr(box, "press_paragraph", None)
        if isinstance(paragraph, _Paragraph) and paragraph.first_set is not None:
            found[id(paragraph.element)] = (paragraph.element, *paragraph.first_set)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def can_take(plans: dict, element, change: int, chinese_ratio: float = LOOSER_RATIO) -> bool:
    """Whether the paragraph, as set in the document `plans` were read from (plans_of), can be
    set `change` lines longer within the tolerance: the composer asked again, without a layout."""
    return taking(plans, element, change, chinese_ratio) is not None


def taking(plans: dict, element, change: int, chinese_ratio: float = LOOSER_RATIO) -> float | None:
    """How far the paragraph stretches set `change` lines longer (stretch), if it can take that
    many: a line longer spreads the whole paragraph, so only where its spaces stay near the
    usual, so that pages made up this way keep the median word space of the rules
    (WORD_SPACE_MEDIAN); a Chinese one up to `chinese_ratio` (1.0: MAX_SPACING a gap, the composer's own limit)."""
    ratio = stretch(plans, element, change)
    if ratio is None:
        return None
    chinese = plans[id(element)][3].emergency_ratio == CHINESE.emergency_ratio
    return ratio if change < 0 or ratio <= (chinese_ratio if chinese else LOOSER_RATIO) else None


def stretch(plans: dict, element, change: int) -> float | None:
    """How far the paragraph set `change` lines longer stretches its most stretched line (its
    last excepted), as a ratio of what its lines may stretch; None where the tolerance does not
    allow that many lines. What the make-up ranks paragraphs by: the least stretched first."""
    found = plans.get(id(element))
    if found is None or found[0] is not element:
        return None
    _, items, widths, params, _, kept = found
    best = compose(items, widths, params, kept)
    other = compose(items, widths, replace(params, looseness=change), kept)
    if best is None or other is None or len(other) - len(best) != change:
        return None
    return max((b.ratio for b in other[:-1]), default=0.0)


def last_line(plans: dict, element, change: int) -> str | None:
    """The text of the paragraph's last line, set `change` lines longer as the composer sets it
    (press.makeup's opening trials set an abstract so); None where it is not known."""
    found = plans.get(id(element))
    if found is None or found[0] is not element:
        return None
    _, items, widths, params, (text, starts), kept = found
    breaks = compose(items, widths, replace(params, looseness=change), kept)
    if not breaks:
        return None
    return text[starts[breaks[-2].index]:] if len(breaks) > 1 else text


def _planned_width(context, linebox, skip_stack, containing_block, inline, boxes, at=None) \
        -> tuple[tuple[float, float] | None, str | None, tuple | None]:
    """_width_planned's answer, kept for the layout (its context): the same line is asked for
    again and again (column balancing's trial heights; press/relayout.py asks before it looks up a
    line set before: 2020-02's parts, 8,021 asks for 912 lines set), and the answer is the same
    while the layout lasts (a paragraph planned again for a new looseness is planned by the next
    layout, press/relayout.py). `at`: the skip stack as frozen(), if the caller has it."""
    known = context.__dict__.setdefault("press_planned", {})
    key = (id(linebox), frozen(skip_stack) if at is None else at, containing_block.width, linebox.text_indent)
    found = known.get(key)
    paragraph = linebox.__dict__.get("press_paragraph")
    if found is None or found[0] is not linebox or found[1] is not paragraph \
            or found[2] != getattr(paragraph, "version", 0):
        answer = _width_planned(context, linebox, skip_stack, containing_block, inline, boxes)
        paragraph = linebox.__dict__.get("press_paragraph")
        # A plan made since (a line off the plan plans the rest anew) may answer otherwise.
        found = known[key] = (linebox, paragraph, getattr(paragraph, "version", 0), answer)
    return found[3]


def frozen(skip_stack):
    """A skip stack ({index: inner skip stack or None}) as a key."""
    if skip_stack is None:
        return None
    return tuple(sorted((index, frozen(inner)) for index, inner in skip_stack.items()))


def _width_planned(context, linebox, skip_stack, containing_block, inline, boxes) \
        -> tuple[tuple[float, float] | None, str | None, tuple | None]:
    """How wide WeasyPrint may fill the line that starts here, and its letter spacing (None:
    as WeasyPrint fills it); and who sets the line: "planned", "replanned" (a plan made
    again from this line's start), the reason the composer left it to WeasyPrint, or None
    for a line the composer has no business with (not justified, not English or Chinese); and,
    for a planned line, (its paragraph, start, planned end) to check WeasyPrint's line against."""
    style = linebox.style
    if style["text_align_all"] != "justify" or (style["lang"] or "")[:2].lower() not in ("en", "zh") \
            or style["direction"] != "ltr":
        return None, None, None
    paragraph = getattr(linebox, "press_paragraph", None)
    if paragraph is None or paragraph.children is not linebox.children:
        try:
            paragraph = _Paragraph(context, linebox, boxes)
            LOGGER.debug("a paragraph planned: %r", paragraph.text[:60])
        except _Unsupported as exc:
            paragraph = exc
            LOGGER.info("unsupported paragraph (%s), WeasyPrint's own lines", exc)
        paragraph.children = linebox.children  # a copy of the line box with other children is another paragraph
        linebox.press_paragraph = paragraph
    if isinstance(paragraph, _Unsupported):
        return None, f"unsupported: {paragraph}", None
    if not paragraph.text.strip():
        return None, None, None
    skip = inline.skip_first_whitespace(linebox, skip_stack)
    if skip == "continue":
        return None, None, None
    try:
        start = paragraph.offset(linebox, skip, boxes)
    except (KeyError, IndexError, AttributeError, ValueError):
        # A skip stack into something that is not the paragraph's text: WeasyPrint's line.
        LOGGER.debug("a line lost its place in the plan: %r", paragraph.text[:60])
        return None, "lost: a line start the composer cannot place in its text", None
    width = containing_block.width
    if (start, width) not in paragraph.plans:
        if start:
            LOGGER.debug("a line starts off the plan: %r", paragraph.text[max(0, start - 40):start + 20])
        paragraph.plan(context, start, width - linebox.text_indent, width)
    planned = paragraph.plans[(start, width)]
    if planned is None:
        return None, "no feasible breaks", None
    natural, tracking, how, end = planned
    return (natural + SLACK * paragraph.font_size, tracking), how, (paragraph, start, end)


def _ended_early(linebox, resume_at, planned, boxes) -> float | None:
    """If WeasyPrint's line holds less than half of what the composer planned for it: how wide
    it may be to end a word earlier than planned (None: it ended as planned, or near)."""
    paragraph, start, end = planned
    try:
        actual = paragraph.offset(linebox, resume_at, boxes)
    except (KeyError, IndexError, AttributeError, ValueError):
        return None  # a line ending inside what is not the paragraph's text: the next line says so
    if actual - start >= (end - start) / 2:
        return None
    space = paragraph.text[:end].rstrip().rfind(" ", start)
    if space <= start:
        return None
    return paragraph.x[space] - paragraph.x[start] + SLACK * paragraph.font_size


def census(document) -> Counter:
    """Who set the lines of a laid-out document (see _planned_width): lines by how they were set."""
    found: Counter = Counter()

    def walk(box) -> None:
        how = getattr(box, "press_set_by", None)
        if how is not None and type(box).__name__ == "LineBox":
            found[how] += 1
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def _tag(box) -> str:
    return getattr(box, "element_tag", None) or type(box).__name__


def _add_tracking(context, box, tracking: float, x_advance: float, boxes) -> float:
    """Set the letters of a line `tracking` apart (CSS letter-spacing, on a copy of each text
    box's style), moving what follows; as WeasyPrint's add_word_spacing moves it for spaces."""
    from weasyprint.text.line_break import create_layout, line_size

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        box.style = box.style.copy()
        spacing = box.style["letter_spacing"]
        box.style["letter_spacing"] = (0 if spacing == "normal" else spacing) + tracking
        layout = create_layout(box.text, box.style, context, None, box.justification_spacing)
        width, _ = line_size(layout.get_first_line()[0], box.style)
        x_advance += width - box.width
        box.width, box.pango_layout = width, layout
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _add_tracking(context, child, tracking, x_advance, boxes)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def _dictionary(context, lang, left, right, total):
    import pyphen

    lang = pyphen.language_fallback(lang)
    key = (lang, left, right, total)
    if key not in context.dictionaries:
        context.dictionaries[key] = pyphen.Pyphen(lang=lang, left=left, right=right)
    return context.dictionaries[key]


def _advances(context, text: str, style) -> tuple[list[float], list[int]]:
    """The pen position before each character of `text` and after the last, as WeasyPrint
    shapes it on one unbroken line; and the characters Pango may start a line with. Shaped once
    for the same text, fonts and style properties that shaping reads: a paragraph is read again
    by every box tree built after a float's move or a restyle, and each copy of its line box
    (2020-02: 586 texts shaped, 129 of them different; 0.2 of 0.25 CPU-s saved). The lists are
    shared: nobody changes them."""
    kept = _composing(context)
    if kept is None:
        return _shape(context, text, style)
    key = (text, style.font_config, *(_hashable(style[name]) for name in _SHAPING))
    return kept.shaped.get(key, lambda: _shape(context, text, style))


# What Layout.setup and Layout.set_text (weasyprint.text.line_break) read of the style to shape a
# text with no width and no justification: the font's description, its features, the language,
# the spacing, and the break rules.
_SHAPING = ("direction", "font_language_override", "lang", "font_family", "font_style", "font_stretch", "font_weight",
            "font_size", "font_variant_caps", "font_variation_settings", "font_kerning", "font_variant_ligatures",
            "font_variant_position", "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian",
            "font_feature_settings", "word_spacing", "letter_spacing", "overflow_wrap", "tab_size", "white_space")


def _hashable(value):
    return tuple(map(_hashable, value)) if isinstance(value, list) else value


def _shape(context, text: str, style) -> tuple[list[float], list[int]]:
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango
    from weasyprint.text.line_break import create_layout

    layout = create_layout(text, style, context, None, 0)
    starts = byte_offsets(text)
    by_byte = [0] * (starts[-1] + 1)
    for item in first_line_items(layout):
        glyphs = item.glyphs
        for i in range(glyphs.num_glyphs):
            by_byte[item.item.offset + glyphs.log_clusters[i]] += glyphs.glyphs[i].geometry.width
    # A ligature (the ff of "different") is one cluster: its width is shared among its
    # characters, so a break inside it is measured as the separate letters will be drawn.
    positions, pen, cluster = [0.0], 0.0, []
    for i in range(len(text)):
        cluster.append(i)
        if i + 1 < len(text) and not any(by_byte[starts[i + 1]:starts[i + 2]]) and not text[i + 1].isspace():
            continue  # the next character draws nothing of its own: same cluster
        width = sum(by_byte[starts[cluster[0]]:starts[i + 1]])
        for _ in cluster:
            pen += width / len(cluster)
            positions.append(pen * FROM_UNITS)
        cluster = []
    attrs = pango.pango_layout_get_log_attrs_readonly(layout.layout, ffi.NULL)
    breaks = [i for i in range(1, len(text)) if attrs[i].is_line_break]
    layout.deactivate()
    return positions, breaks


def first_line_items(layout):
    """The shaped runs (PangoGlyphItem) of the first line of a WeasyPrint text layout, in order:
    what the composer measures here, and press.composition widens and draws."""
    from weasyprint.text.ffi import ffi, pango

    run = pango.pango_layout_get_line_readonly(layout.layout, 0).runs
    while run != ffi.NULL:
        yield run.data
        run = run.next


def byte_offsets(text: str) -> list[int]:
    """UTF-8 byte offset of each character, and of the end: Pango's clusters count bytes."""
    offsets, position = [], 0
    for char in text:
        offsets.append(position)
        position += len(char.encode())
    offsets.append(position)
    return offsets
