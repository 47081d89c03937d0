"""The line grid of the columns: body lines of adjacent columns on the same baselines.

Paragraphs are whole lines already (every line of the body is one line height,
17pt in Chinese and 14pt in English), but headings, figures with their
captions, lists, quotations and tables are not: each shifted the rest of its
column off the lines of the column beside it (on 2020-02, 146 of 272
right-hand lines stood on the left-hand column's grid; all of them do now:
tools/grid_report.py). CSS cannot round a block's
height to whole lines (WeasyPrint 70 knows no `block-step`), and WeasyPrint
truncates margins at the top of a page but not at the top of a column. So,
inside a column box (and nowhere else):

- after each block, the position where the next one starts, its bottom margin
  included, is rounded up to the next whole line from the top of the column:
  the space under the block absorbs the rest (a block that passes a line by
  2pt or less ends on it). Bottom margins so become the least space under a
  block; they no longer collapse with the next block's top margin, which then
  counts from a line. A block that ends the column is left as it is.
- a block at the top of a column drops its top margin, as at the top of a page,
  so that a heading there stands level with the first line of the column
  beside it.
- a block set on the body's line height in a larger or smaller face (a heading)
  is drawn moved by the difference of the two faces' baselines in that line:
  a larger face sits lower in the same line box, and an 11 pt heading stood
  0.45 pt below the 10 pt line beside it.

The grid starts where the columns start: under the title, the abstract and
the kicker on an article's first page, at the top of the text block on the
others.

The note area takes whole lines of that grid too, as a typesetter sets it: the
columns end on a line of the grid, and the white between that line and the
notes (their lines are 11 pt, each note with space above it: 16 pt a note
against a 14 or 17 pt body line) goes above the rule. Rounded up, the area
leaves the columns as many lines as before; where the notes pass a grid line
by no more than NOTE_SHRINK, it is rounded down instead, and the rule stands
that much into the leading of the last body line (TeX's shrinkable
\\skip\\footins): 2020-02 p7 gains a line so. The white at a column's foot is
then whole lines, and a column one line short is within a line of its foot.

The functions are WeasyPrint's own, wrapped; press/patches.py checks their
source first.
"""

from __future__ import annotations

from math import ceil, floor

# Distances under this (in CSS px) are rounding, not space.
_EPSILON = 0.01
# A block that passes a line by no more than this (2pt, in CSS px) ends on that line: the next
# block moves up into the leading. A line with a fallback glyph in it (周昉 in an English list)
# is taller than the line height by a fraction of a point, and a paragraph of such lines would
# otherwise push what follows a whole line down.
_SLACK = 2 * 4 / 3
# The rule over the notes may stand this much (in CSS px: 1 pt) into the leading under the last
# body line: 1.2 pt is then left under a Chinese line's glyphs (2020-02 p7 and p8, seen at 200 dpi).
NOTE_SHRINK = 1.0 * 4 / 3


def install() -> None:
    """Wrap WeasyPrint's in-flow block layout and its block-level switch (WeasyPrint imported)."""
    from weasyprint.layout import block

    block._in_flow_layout = _on_grid(block._in_flow_layout, block.collapse_margin)
    block.block_level_layout_switch = _no_margin_at_column_top(block.block_level_layout_switch)
    from weasyprint.layout import LayoutContext

    if not getattr(LayoutContext, "_press_grid", False):
        LayoutContext._press_grid = True
        LayoutContext._update_footnote_area = _notes_on_grid(LayoutContext._update_footnote_area)


def line_pitch(box) -> float | None:
    """The line height of a column's text in px, if it is a length (the grid's step)."""
    height = box.style["line_height"]
    return height.value if getattr(height, "unit", None) == "px" and height.value > 0 else None


def next_line(position: float, top: float, pitch: float) -> float:
    """The first grid line at or below `position`, less the slack, the grid starting at `top`."""
    return top + ceil((position - top - min(_SLACK, pitch / 4)) / pitch) * pitch


def _on_grid(in_flow_layout, collapse_margin):
    def layout(context, box, index, child, new_children, *args):
        placed = len(new_children)
        if box.is_column and line_pitch(box) is not None:
            # Where this page's grid starts, for its note area (_notes_on_grid).
            context.press_grid = (context.current_page, box.content_box_y(), line_pitch(box))
        result = in_flow_layout(context, box, index, child, new_children, *args)
        abort, stop, resume_at, position_y, adjoining_margins, next_page, children, max_lines = result
        pitch = line_pitch(box) if box.is_column else None
        if pitch is not None and not abort and len(new_children) > placed:
            _onto_body_baselines(new_children[-1], box)
        if pitch is None or abort or stop:  # a block that ends the column, or none placed
            return result
        end = position_y + collapse_margin(adjoining_margins)
        return abort, stop, resume_at, next_line(end, box.content_box_y(), pitch), [], next_page, children, max_lines

    return layout


def _notes_on_grid(update):
    """The note area's top (its rule) rounded onto a line of the page's column grid: up, the
    white above the rule, or down by NOTE_SHRINK at most. The area's top margin carries the
    difference: WeasyPrint and press.balancing count the area by its margin height, and the
    page's last layout of the area (make_page) sets it at the page's foot from its content."""
    def update_footnote_area(context):
        overflow = update(context)
        area = context.current_footnote_area
        base = getattr(area, "press_margin", None)
        if base is not None:  # the last rounding, which WeasyPrint has just counted again
            if not context.in_column:
                context.page_bottom += area.margin_top - base
            area.margin_top, area.press_margin = base, None
        if not area.children or area.height == "auto":
            return overflow
        page, origin, pitch = getattr(context, "press_grid", (None, None, 17 * 4 / 3))
        if page != context.current_page:  # notes carried over, before the page's columns: its top
            origin = area.page.content_box_y()
        bottom = area.page.content_box_y() + area.page.height
        top = bottom - area.margin_height()
        on_grid = origin + floor((top + NOTE_SHRINK - origin) / pitch) * pitch
        if on_grid <= origin:
            return overflow
        # A hair below the line: a column's last line ends on it, give or take the float error.
        shift = top - on_grid - _EPSILON
        area.press_margin = area.margin_top
        area.margin_top += shift
        if not context.in_column:
            context.page_bottom -= shift
        return overflow

    return update_footnote_area


def _onto_body_baselines(block, column) -> None:
    """Move a block set in the column's line height but another size (a heading) by the
    difference of the two sizes' baselines in that line: its lines take whole lines already,
    but a larger face sits lower in the same line (0.45 pt for an 11 pt heading over 10 pt
    text), so its baseline would miss the line beside it. The move is drawn only, as
    `position: relative` is: what follows stays where the grid puts it."""
    from weasyprint.text.line_break import strut

    style = block.style
    if style["font_size"] == column.style["font_size"] or style["line_height"] != column.style["line_height"]:
        return
    lines = [line for line in block.children if type(line).__name__ == "LineBox"]
    if not lines or len(lines) != len(block.children):  # not a block of lines alone
        return
    shift = strut(column.style)[1] - strut(style)[1]
    if _EPSILON < abs(shift) < line_pitch(column) / 4:
        block.translate(0, shift)


def _no_margin_at_column_top(switch):
    def layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs):
        if getattr(containing_block, "is_column", False) \
                and abs(box.position_y - containing_block.content_box_y()) < _EPSILON:
            box.margin_top = 0
        return switch(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)

    return layout
