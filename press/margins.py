"""No margin boxes made for a page that has none.

At every layout WeasyPrint makes each page's sixteen margin boxes (@top-left … @bottom-right-corner),
each with its used lengths resolved, and keeps those whose `content` makes them generated. press's
sheets have no margin rule (the running heads and folios are a part of their own, the overlay), so
every page's sixteen are made and thrown away: 2020-02's typesetting made 1,200 of them, 4.6% of the
workers' time (py-spy). A page none of whose sixteen margin styles has a `content` that generates a
box gets none here either, without their being made; what making them left behind, each style's
counters standardized (in place), is done. press/patches.py checks the function's source first.
"""

from __future__ import annotations

# In make_margin_boxes' order: the four sides' three boxes each, then the corners.
AT_KEYWORDS = ("@top-left", "@top-center", "@top-right", "@bottom-left", "@bottom-center", "@bottom-right",
               "@left-top", "@left-middle", "@left-bottom", "@right-top", "@right-middle", "@right-bottom",
               "@top-left-corner", "@top-right-corner", "@bottom-left-corner", "@bottom-right-corner")
_NOT_GENERATED = ("normal", "inhibit", "none")  # a margin box's content that makes none (make_box's test)


def install() -> None:
    """make_margin_boxes, the one below, where layout_document calls it (and in page.py)."""
    from weasyprint import layout
    from weasyprint.layout import page as page_module

    original = page_module.make_margin_boxes
    standardize = page_module._standardize_page_based_counters

    def make_margin_boxes(context, page, state):
        """Yield laid-out margin boxes for this page (WeasyPrint's docstring)."""
        styles = [context.style_for(page.page_type, at_keyword) for at_keyword in AT_KEYWORDS]
        styles = [page.style.anonymous_style if style is None else style for style in styles]  # as make_box has it
        if any(style["content"] not in _NOT_GENERATED for style in styles):
            yield from original(context, page, state)
            return
        for style, at_keyword in zip(styles, AT_KEYWORDS):
            standardize(style, at_keyword)

    make_margin_boxes.__wrapped__ = original  # tests compare the two
    layout.make_margin_boxes = page_module.make_margin_boxes = make_margin_boxes
