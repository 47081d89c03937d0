"""Line composition WeasyPrint 70 lacks: inter-character justification of
Chinese lines, opening marks trimmed at line starts, and a limit on
hyphenated lines in a row.

Justification.

WeasyPrint justifies a line only by widening its spaces. A Chinese line
has none, so a line that cannot end flush (a Latin word or a half-width
punctuation pair leaves less than one character of room) stays short and
the right edge of the column goes ragged. Chinese typesetting spreads that
remainder over the gaps between CJK characters instead
[clreq #reduction_and_expansion_of_inter-character_spacing]. This
module teaches WeasyPrint to do so:

- a gap between two CJK characters of a Chinese text box counts as a
  justification opportunity, as a space does (`count_expandable_spaces`);
- when the line is drawn, each such gap is widened by the line's
  justification spacing (added to the advance of the shaped glyph before it).

Not widened: the quarter-em between Han and Western text (clreq wants it
fixed), letters of Western words, and gaps between two punctuation marks
(the half-width pairs of 'chws' stay tight). A line that would need more
than MAX_SPACING per gap is left short rather than spread visibly apart.

Text extraction. Poppler and pdf.js read a gap of more than a tenth of an
em between two glyphs as a word space, so a line spread by more than that
would be copied and searched as 新 英 格 兰. Each run of glyphs before such
gaps is drawn, with the glyph after its last gap, inside a marked-content
span whose ActualText is the run's own text: Poppler (and PDFium) take the
span as one piece of text. The drawing inside is what it was, so the page
is unchanged (_draw_with_actual_text).

Line starts [clreq #h-compression_of_punctuation_marks_at_line_start]. A line that starts with an opening mark （《“
moves left by the mark's blank half, so the ink meets the column edge; a
justified line spreads that half em with the rest.

Hyphenation. No more than MAX_HYPHENATED_LINES lines in a row may end with
a hyphen (CSS hyphenate-limit-lines, which WeasyPrint does not implement):
after two such lines the next is composed with automatic hyphenation off.

press/patches.py installs these patches, once it has checked that every
WeasyPrint function they replace or build on is the one they were written
for; tests/test_page_rules.py checks the result on the printed page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .paragraphs import byte_offsets, first_line_items
from .rules import CJK, CJK_PUNCTUATION, HYPHENS, MAX_HYPHENATED_LINES, MAX_SPACING, OPENING_MARKS, THIRD_EM

_MARK = re.compile(f"[{re.escape(''.join(sorted(CJK_PUNCTUATION)))}]{{2}}")
# Where a gap may widen: before a CJK character that follows one, or after a U+2004 word space.
_CANDIDATE = re.compile(f"(?<=[{CJK}])(?=[{CJK}])|(?<={THIRD_EM})(?=[^\\W_])")
# Poppler starts a new word after a gap wider than 0.1 em, pdf.js after 0.102 em.
EXTRACTED_AS_SPACE = 0.09  # em, with a margin


@lru_cache(maxsize=8192)
def _gaps(text: str) -> tuple[int, ...]:
    """Indices of the characters after which a gap may widen: a CJK character followed by
    another, unless both are punctuation marks; and the word spaces of Western text inside
    Chinese (U+2004, see press/clreq.py), so a line holding a long English name spreads
    over both rather than over its few Chinese characters alone. Cached: the same line's
    text is asked for when it is counted, justified and drawn."""
    return tuple(m.start() - 1 for m in _CANDIDATE.finditer(text) if not _MARK.fullmatch(text, m.start() - 1, m.start() + 1))


def _is_chinese(style) -> bool:
    return (style["lang"] or "").lower().startswith("zh")


def install() -> None:
    """Patch WeasyPrint (already imported): Chinese lines justified between characters,
    opening marks trimmed at line starts, hyphenated lines limited (see the module's text)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline
    from weasyprint.text import line_break

    if getattr(inline, "_press_justify", False):
        return
    inline._press_justify = True
    count_spaces = inline.count_expandable_spaces
    add_word_spacing = inline.add_word_spacing

    def count_expandable(box) -> int:
        if isinstance(box, boxes.TextBox) and _is_chinese(box.style):
            return count_spaces(box) + len(_gaps(box.text))
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return sum(count_expandable(child) for child in box.children)
        return count_spaces(box)

    def justify_line(context, line, extra_width):
        if trim := _opening_start(line):
            line.translate(-trim, 0)
            line.press_trimmed = True
            extra_width += trim
        if n := count_expandable(line):
            spacing = extra_width / n
            if _has_chinese_gaps(line):
                spacing = min(spacing, MAX_SPACING * line.style["font_size"])
            add_word_spacing(context, line, spacing, 0)

    def _has_chinese_gaps(box) -> bool:
        if isinstance(box, boxes.TextBox):
            return _is_chinese(box.style) and bool(_gaps(box.text))
        return any(_has_chinese_gaps(child) for child in getattr(box, "children", ()))

    set_text = line_break.Layout.set_text

    def set_text_with_gaps(self, text, justify=False):
        set_text(self, text, justify)
        if justify and _is_chinese(self.style):
            _widen_gaps(self)

    inline.count_expandable_spaces = count_expandable
    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text_with_gaps
    _watch_finished_lines(inline, block)
    _draw_with_actual_text()


def _watch_finished_lines(inline, block) -> None:
    """Wrap WeasyPrint's line iterator, the one place that sees each finished line: it counts
    hyphenated lines in a row (and turns hyphenation off for the next line after too many),
    and moves lines that start with an opening mark but were not justified."""
    iter_line_boxes, split_first_line = inline.iter_line_boxes, inline.split_first_line
    state = {"ban": False}

    def iter_line_boxes_limited(context, box, *args, **kwargs):
        run = 0
        lines = iter_line_boxes(context, box, *args, **kwargs)
        while True:
            state["ban"] = run >= MAX_HYPHENATED_LINES
            try:
                line, resume_at = next(lines)
            except StopIteration:
                return
            finally:
                state["ban"] = False
            run = run + 1 if _ends_with_hyphen(line) else 0
            if not getattr(line, "press_trimmed", False) and (trim := _opening_start(line)):
                line.translate(-trim, 0)  # a line that was not justified: it moves, its end stays ragged
            yield line, resume_at

    def split_first_line_limited(text, style, *args, **kwargs):
        if not (state["ban"] and style["hyphens"] == "auto"):
            return split_first_line(text, style, *args, **kwargs)
        # The style is shared by every box of the element: set it back at once.
        style["hyphens"] = "manual"
        try:
            return split_first_line(text, style, *args, **kwargs)
        finally:
            style["hyphens"] = "auto"

    block.iter_line_boxes = inline.iter_line_boxes = iter_line_boxes_limited
    inline.split_first_line = split_first_line_limited


def _ends_with_hyphen(box) -> bool:
    if hasattr(box, "text"):
        return len(box.text) > 1 and box.text[-1] in HYPHENS and box.text[-2].isalpha()
    children = getattr(box, "children", ())
    return bool(children) and _ends_with_hyphen(children[-1])


def _opening_start(line) -> float:
    """[#h-compression_of_punctuation_marks_at_line_start] An opening mark that starts a line
    loses its blank left half, so its ink
    lines up with the column edge (CSS text-spacing-trim: trim-start): the half em by which
    the line moves left, or 0. A first line set in from the edge (a paragraph indent) keeps
    it. The whole line moves, so nothing inside it changes width."""
    first = line
    while not hasattr(first, "text"):
        children = getattr(first, "children", ())
        if not children:
            return 0.0
        first = children[0]
    if first.text[:1] in OPENING_MARKS and _is_chinese(first.style) and abs(first.position_x - line.position_x) < 0.01:
        return first.style["font_size"] / 2
    return 0.0


def _widen_gaps(layout) -> None:
    """Add the justification spacing to the advance of each glyph that ends a widening gap,
    on the shaped glyphs of the line. Not with letter-spacing attributes: those would split
    the text into separately shaped runs and undo the contextual 'chws' pairs."""
    from weasyprint.text.ffi import pango

    gaps = _gaps(layout.text)
    if not gaps or not layout.justification_spacing:
        return
    # Drawing switches the layout to single-paragraph mode, which would lay it out again
    # and lose the changed glyphs; switching first makes that a no-op.
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    spacing = round(layout.justification_spacing * 1024)  # Pango units
    offsets = byte_offsets(layout.text)
    widen = {offsets[i] for i in gaps}
    for item in first_line_items(layout):
        glyphs, clusters = item.glyphs.glyphs, item.glyphs.log_clusters
        count = item.glyphs.num_glyphs
        for i in range(count):
            last_of_cluster = i == count - 1 or clusters[i + 1] != clusters[i]
            if last_of_cluster and item.item.offset + clusters[i] in widen:
                glyphs[i].geometry.width += spacing


_TJ_TOKEN = re.compile(r"<([0-9a-f]*)>|([^<>]+)")


def _draw_with_actual_text() -> None:
    """Wrap each run of glyphs that ends a gap widened past EXTRACTED_AS_SPACE, and the glyph
    after it, in `/Span <</ActualText (text)>> BDC … EMC` (see the module's text). The
    line's TJ strings are cut where a span starts or ends; their glyphs and numbers stay."""
    from weasyprint.draw import text
    from weasyprint.text.ffi import pango

    draw_first_line = text.draw_first_line

    def draw_first_line_spans(stream, textbox, *args, **kwargs):
        layout = textbox.pango_layout
        spacing = layout.justification_spacing or 0
        if spacing < EXTRACTED_AS_SPACE * textbox.style["font_size"] or not _is_chinese(textbox.style):
            return draw_first_line(stream, textbox, *args, **kwargs)
        spans = _spans(_widened_glyphs(layout, pango))
        if not spans:
            return draw_first_line(stream, textbox, *args, **kwargs)
        show_text, state = stream.show_text, {"glyph": 0, "open": None}

        def show_text_spans(string):
            tokens = []
            for hexes, number in _TJ_TOKEN.findall(string):
                if number:
                    tokens.append(number)
                for k in range(0, len(hexes), 4):
                    index = state["glyph"]
                    if index in spans:
                        if tokens:
                            show_text("".join(tokens))
                            tokens = []
                        end, actual = spans[index]
                        state["open"] = end
                        stream.stream.append(b"/Span <</ActualText <feff" + actual.encode("utf-16-be").hex().encode()
                                             + b">>> BDC")
                    tokens.append(f"<{hexes[k:k + 4]}>")
                    if index == state["open"]:
                        show_text("".join(tokens))
                        tokens = []
                        stream.stream.append(b"EMC")
                        state["open"] = None
                    state["glyph"] += 1
            if tokens:
                show_text("".join(tokens))

        stream.show_text = show_text_spans
        try:
            return draw_first_line(stream, textbox, *args, **kwargs)
        finally:
            del stream.show_text
            if state["open"] is not None:
                stream.stream.append(b"EMC")

    text.draw_first_line = draw_first_line_spans


def _widened_glyphs(layout, pango) -> list[tuple[bool, str]]:
    """The glyphs of a justified line in drawing order (empty glyphs, which draw nothing,
    left out), each as (ends a widened gap, its text if it is a glyph of its own)."""
    gaps = set(_gaps(layout.text))
    offsets = byte_offsets(layout.text)
    chars = {offsets[i]: i for i in range(len(layout.text))}
    glyphs = []
    for item in first_line_items(layout):
        infos, clusters, count = item.glyphs.glyphs, item.glyphs.log_clusters, item.glyphs.num_glyphs
        for i in range(count):
            if infos[i].glyph == pango.PANGO_GLYPH_EMPTY:
                continue
            alone = (i == count - 1 or clusters[i + 1] != clusters[i]) and (i == 0 or clusters[i - 1] != clusters[i])
            char = chars.get(item.item.offset + clusters[i])
            glyphs.append((char in gaps, layout.text[char] if alone and char is not None else ""))
    return glyphs


def _spans(glyphs: list[tuple[bool, str]]) -> dict[int, tuple[int, str]]:
    """Where spans start: {first glyph: (last glyph, text)}. A span is a run of glyphs that
    end widened gaps and the glyph after the run, each one glyph for one character that is
    no space (a word space is read as one anyway)."""
    spans, i = {}, 0
    while i < len(glyphs):
        j = i
        while j < len(glyphs) and glyphs[j][0] and glyphs[j][1] and not glyphs[j][1].isspace():
            j += 1
        if j > i and j < len(glyphs) and glyphs[j][1] and not glyphs[j][1].isspace():
            spans[i] = (j, "".join(text for _, text in glyphs[i:j + 1]))
        i = j + 1
    return spans
