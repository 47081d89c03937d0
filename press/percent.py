"""WeasyPrint's used lengths from percentages, in one function.

Every block, line and page that WeasyPrint lays out starts with resolve_percentages: its
margins, paddings, width and height, from the computed style and the containing block. It sets
fifteen attributes through two calls each (resolve_one_percentage, percentage), and a layout
calls it for every box again: on 2020-02's articles, 10,000 times for 135,000 properties, 9% of
the typesetting workers' time under cProfile, 16% of the make-up's trial layouts. This is the
same function with those calls made inline: the same values in the same order, each computed as
`percentage` computes it (a length in px, a percentage of the reference, and anything else, a
calc() expression, through WeasyPrint's own `percentage`), then the borders and box-sizing as
WeasyPrint sets them (its adjust_box_sizing). press/patches.py checks the three functions'
sources before it is installed in every module that imported WeasyPrint's.
"""

from __future__ import annotations

from math import inf

# (property, which reference) in WeasyPrint's order: 0 the containing block's width, 1 its
# height for a page box and its width for any other (margins and paddings, top and bottom).
_HORIZONTAL = (("margin_left", 0), ("margin_right", 0), ("margin_top", 1), ("margin_bottom", 1),
               ("padding_left", 0), ("padding_right", 0), ("padding_top", 1), ("padding_bottom", 1),
               ("width", 0), ("min_width", 0), ("max_width", 0))
_BORDERS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")
# The modules that imported WeasyPrint's function by name (flex.py calls it through percent.py).
MODULES = ("percent", "absolute", "block", "column", "float", "grid", "inline", "page", "table")
_USED = "press_used_lengths"  # a style's used lengths, by its containing block's size


def forget(style) -> None:
    """A computed style changed in place (press.makeup.set_whites): its used lengths, kept by the
    style, are worked out again at its next layout."""
    style.__dict__.pop(_USED, None)


def install() -> None:
    """Put resolve_percentages in WeasyPrint's place, before press.balancing copies column.py's names."""
    import importlib

    from weasyprint.css.functions import check_math
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import percent

    percentage, adjust_box_sizing = percent.percentage, percent.adjust_box_sizing
    Box, PageBox = boxes.Box, boxes.PageBox

    def used_lengths(style, refers, cb_height) -> dict:
        """The used margins, paddings, widths and heights, in WeasyPrint's order and as it
        computes them (percentage), the auto minimums made 0 as it makes them."""
        used = {}
        for name, refer in _HORIZONTAL:
            value = style[name]
            if value is not None and value != "auto":
                unit = getattr(value, "unit", None)
                if unit is None:
                    value = percentage(value, style, refers[refer])
                elif unit == "%":
                    value = refers[refer] * value.value / 100
                else:
                    value = value.value
            used[name] = value
        if used["min_width"] == "auto":
            used["min_width"] = 0
        if cb_height == "auto":
            height = style["height"]
            if height == "auto" or check_math(height) or height.unit == "%":
                used["height"] = "auto"
            else:
                assert height.unit.lower() == "px"
                used["height"] = height.value
            heights = (("min_height", 0), ("max_height", inf))
        else:
            heights = (("height", cb_height), ("min_height", cb_height), ("max_height", cb_height))
        for name, refer in heights:
            value = style[name]
            if value is not None and value != "auto":
                unit = getattr(value, "unit", None)
                if unit is None:
                    value = percentage(value, style, refer)
                elif unit == "%":
                    value = refer * value.value / 100
                else:
                    value = value.value
            used[name] = value
        if used["min_height"] == "auto":
            used["min_height"] = 0
        if style["border_collapse"] != "collapse":
            used.update((name, style[name]) for name in _BORDERS)
        return used

    def resolve_percentages(box, containing_block):
        """Set used values as attributes of the box object (WeasyPrint's docstring)."""
        if isinstance(containing_block, Box):
            cb_width, cb_height = containing_block.width, containing_block.height
        else:
            cb_width, cb_height = containing_block
        page = isinstance(box, PageBox)
        style = box.style
        # The used lengths are a function of the style and the containing block's size alone, and
        # the boxes of a paragraph's lines, of its element's fragments and of every trial layout
        # ask them again and again of the same style (2020-02: 8,200 calls, 0.15 CPU-s). Kept by the
        # style itself: it goes with it, and a copy (which WeasyPrint may change: flex, grid
        # items) starts without.
        known = getattr(style, _USED, None)
        if known is None:
            known = {}
            if hasattr(style, "__dict__"):
                setattr(style, _USED, known)
        key = (cb_width, cb_height, page)
        used = known.get(key)
        if used is None:
            used = known[key] = used_lengths(style, (cb_width, cb_height if page else cb_width), cb_height)
        box.__dict__.update(used)  # with the borders, unless they collapse
        if style["border_collapse"] == "collapse":
            for name in _BORDERS:
                # border-{side}-width would have been resolved during border conflict resolution for
                # collapsed borders (WeasyPrint's comment)
                if not hasattr(box, name):
                    setattr(box, name, style[name])
        if style["box_sizing"] != "content-box":  # (content-box: nothing to adjust)
            adjust_box_sizing(box, "width")
            adjust_box_sizing(box, "height")

    original = resolve_percentages.__wrapped__ = percent.resolve_percentages  # tests compare the two
    for name in MODULES:
        module = importlib.import_module(f"weasyprint.layout.{name}")
        if getattr(module, "resolve_percentages", None) is original:
            module.resolve_percentages = resolve_percentages
