"""A Chinese line set from a draft of two lines' worth of text, not four.

WeasyPrint's split_first_line does not lay out all the text left in a box to find its first line:
it lays out a draft, the text cut after `ratio` ems of characters per em of the line's width (4:
"almost always" more than a line, for characters no narrower than a quarter em), and keeps the
draft if its second line has a place to break. Pango shapes and breaks the whole draft, so each
Chinese line, whose characters are an em wide, shaped four lines of text: Pango's line layout
(Layout.get_first_line) was 8% of the typesetting workers' samples on 2020-02 (py-spy). For
Chinese text this is WeasyPrint's function with a ratio of 2: two lines of characters, the first
line and a second that breaks anywhere. The first line is the same: a draft too short to have a
second line is laid out again whole, as WeasyPrint's own does. press/patches.py checks the
function's source before it is changed and installed, ahead of press.composition's wrapper.
"""

from __future__ import annotations

import linecache

# WeasyPrint's line, and press's: the ratio read from the style (_ratio below).
RATIO_LINE = "    ratio = 4  # number that almost always respects char_height / char_width > ratio\n"
CHANGED_LINE = "    ratio = _press_ratio(style)  # press.firstline: 2 for Chinese text, else 4\n"
CHINESE_RATIO = 2


def _ratio(style) -> int:
    return CHINESE_RATIO if (style["lang"] or "")[:2].lower() == "zh" else 4


def install() -> None:
    """split_first_line with the ratio above, wherever WeasyPrint imported it by name."""
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    from . import patches

    original = line_break.split_first_line
    source = patches.source(original)
    if source.count(RATIO_LINE) != 1:  # press/patches.py has checked the source: this is a bug here
        raise AssertionError("press.firstline: the ratio line is not in split_first_line")
    source = source.replace(RATIO_LINE, CHANGED_LINE)
    filename = "<press.firstline: weasyprint.text.line_break.split_first_line, changed>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # readable tracebacks
    namespace = {**vars(line_break), "_press_ratio": _ratio}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (WeasyPrint's own, fingerprinted source)
    split_first_line = namespace["split_first_line"]
    split_first_line.__wrapped__ = original  # tests compare the two
    for module in (line_break, inline, preferred):
        module.split_first_line = split_first_line
