"""Table columns as wide as their content, with terms kept whole while the table fits.

press/markup.py puts what a table cell should not break in a `keep` span (a number with
its measure word, 11 号; a Chinese term of up to six characters, 利特罗谷), and
styles/press.css sets those spans on one line, so WeasyPrint's automatic table layout never
makes a column narrower than its longest kept run. That holds only while the table can fit
its column: kept runs that together are wider than the column would make the table overflow
it (an error of the build, press/stages.py). Such a table gives way in steps before its
columns are laid out: first the terms of its head break, then those of its rows (numbers in
right-aligned or centred columns stay whole, as styles/press.css sets them).

The columns are set by the body cells: when a table does not fit with its heads on one line,
but would with its body cells whole if each head counted only at its narrowest (its longest
word or unit), the heads count so (styles/press.css gives th the width that makes WeasyPrint
count them so) and a long head wraps rather than take the room of a row label. Otherwise the
heads count at their full widths, as WeasyPrint weighs them: a table that fits whole is set
whole, and one whose cells must break anyway shares the room between heads and cells.

WeasyPrint has no hook between measuring a table and setting its column widths, so
`auto_table_layout` is wrapped; press/patches.py installs it after checking the functions
it wraps and measures with.
"""

from __future__ import annotations

KEEP = "keep"  # the class press/markup.py gives a run a cell keeps whole
STEPS = ("th", "td")  # the cells whose kept runs may break, in turn, when the table overflows


def install() -> None:
    """Wrap WeasyPrint's automatic table layout (see the module's text)."""
    from weasyprint.layout import preferred, table

    if getattr(table, "_press_keeps", False):
        return
    table._press_keeps = True
    auto_table_layout = table.auto_table_layout

    def auto_table_layout_keeping(context, box, containing_block):
        wrapped = box.get_wrapped_table()
        available = _available(box, wrapped, containing_block)

        def widths() -> tuple[float, float]:  # the table's narrowest and widest
            return preferred.table_and_columns_preferred_widths(context, box, outer=False)[:2]

        if not getattr(wrapped, "press_heads_set", False):
            # The heads count at their full widths unless that is what keeps the body cells from
            # fitting whole, and counting them at their narrowest lets them (the module's text).
            wrapped.press_heads_set = True  # once: the columns are laid out many times
            if _heads(wrapped, full=False):
                context.tables.pop(wrapped, None)  # measured again, by what changed
            narrow_fits = widths()[1] <= available
            if _heads(wrapped, full=True):
                context.tables.pop(wrapped, None)
            if narrow_fits and widths()[1] > available and _heads(wrapped, full=False):
                context.tables.pop(wrapped, None)
        for cells in STEPS:
            if widths()[0] <= available or not _let_break(wrapped, cells):
                break
            context.tables.pop(wrapped, None)
        return auto_table_layout(context, box, containing_block)

    table.auto_table_layout = auto_table_layout_keeping


def _available(wrapper, table, containing_block) -> float:
    """The width the table's columns may take, as auto_table_layout reckons it."""
    margins = sum(m for m in (wrapper.margin_left, wrapper.margin_right) if m != "auto")
    return containing_block[0] - margins - table.padding_left - table.padding_right \
        - table.border_left_width - table.border_right_width


def _heads(table, full: bool) -> bool:
    """Count the heads at their full widths (as WeasyPrint does by itself), or at their
    narrowest (the width styles/press.css gives them); whether any head changed."""
    found = False
    for group in table.children:
        for row in group.children:
            for cell in row.children:
                if cell.element_tag != "th":
                    continue
                narrow = getattr(cell, "press_narrow_style", None) or cell.style
                cell.press_narrow_style = narrow
                style = narrow
                if full and narrow["width"] != "auto":
                    style = narrow.copy()
                    style["width"] = "auto"
                if (cell.style["width"] == "auto") != (style["width"] == "auto"):
                    cell.style, found = style, True
    return found


def _let_break(table, cells: str) -> bool:
    """Let the kept runs of these cells (th or td) break; whether there were any."""
    found = False
    for group in table.children:
        for row in group.children:
            for cell in row.children:
                # A cell set on one line as a whole (figures in a right-aligned or centred
                # column) keeps its runs too: numbers never break.
                if cell.element_tag == cells and cell.style["white_space"] != "nowrap":
                    found = _wrap_kept(cell, False) or found
    return found


def _wrap_kept(box, inside: bool) -> bool:
    """Set every box of a kept run (and the text inside it) to wrap again."""
    inside = inside or KEEP in ((box.element.get("class") or "").split() if box.element is not None
                                and box.element_tag == "span" else ())
    found = False
    if inside and box.style["white_space"] == "nowrap":
        box.style = box.style.copy()
        box.style["white_space"] = "normal"
        found = True
    for child in getattr(box, "children", ()):
        found = _wrap_kept(child, inside) or found
    return found
