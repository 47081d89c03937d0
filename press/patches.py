"""Every change press makes inside WeasyPrint, in one place, each checked before it is made.

WeasyPrint's public API has no hook for what the newsletter needs beyond it (Chinese lines
justified between characters, a faster column balancing, richer PDF tags), so press replaces
or wraps some of its functions. Such a patch is written against one version of the code it
replaces: a later WeasyPrint may rename the function, change what it does, or stop calling
it, and the patch would then silently stop applying, or apply to code it no longer fits.

So each patch below names the WeasyPrint functions it replaces or is built on, with the
SHA-256 of their source (inspect.getsource) as it was written for, and install() compares
them all before it changes anything. Any other source stops the first build with one error
per patch, naming the installed WeasyPrint, the patch and the function that changed, never a
traceback; and after installing, each replaced name must no longer be WeasyPrint's own.

To port a patch to a new WeasyPrint: read the changed originals, adapt the patch, check
the pages (`python build.py diff`), then put the new fingerprints here: `python -m
press.patches` prints every original's fingerprint as installed.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import linecache
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from . import (balancing, composition, deflate, firstline, floats, flow, footnotes, grid, initials, makeup, margins,
               pangosetup, paragraphs, percent, relayout, subsets, tables, tagging, typeset)
from .errors import PressError, error

# The releases whose sources the fingerprints below are of (pydyf: what a patch draws through).
WRITTEN_FOR = {"weasyprint": "70.0", "pydyf": "0.13.0"}
PACKAGE_NAMES = {"weasyprint": "WeasyPrint", "pydyf": "pydyf"}


@dataclass(frozen=True)
class Patch:
    name: str
    module: ModuleType  # the press module that holds the patch
    what: str  # what it changes, and why
    originals: dict[str, str]  # dotted path of a WeasyPrint function → sha256 of its source
    replaces: tuple[str, ...]  # the names that must point elsewhere once it is installed
    install: Callable[[], None]


def _open_arrays() -> None:
    from weasyprint.pdf import fonts

    fonts.ffi = _OpenArrays(fonts.ffi)


class _OpenArrays:
    """An FFI whose new() names sized arrays with items as open arrays: 'hb_codepoint_t[]'
    takes its length from its items, so it is the same array, parsed once."""

    _SIZED = re.compile(r"\[\d+\]$")

    def __init__(self, ffi) -> None:
        self._ffi = ffi

    def new(self, cdecl: str, init=None):
        if init is not None:
            cdecl = self._SIZED.sub("[]", cdecl)
        return self._ffi.new(cdecl, init)

    def __getattr__(self, name: str):
        return getattr(self._ffi, name)


_SPLIT_FIRST_LINE = "39ad1016863ca34de0bea4c9fcffb46da7e27813c87dd82b7011bfa19fe5504f"
_MAKE_MARGIN_BOXES = "4a2d2e301eb3bc47c2812d1502d4d6ce3b65922a76e69fb45c11a5ae353198a7"
_RESOLVE_PERCENTAGES = "71673078096fcf8764e6412933288cc79ba956eae0d939deda27beaeac45acad"

PATCHES = (
    Patch(
        "used lengths in one call", percent,
        "resolve_percentages, called for every box of every layout, sets fifteen used lengths through "
        "two calls each; press.percent's is the same function with those calls inline. Installed "
        "first, in every module that imported WeasyPrint's: press.balancing copies column.py's names.",
        {"weasyprint.layout.percent.resolve_percentages": _RESOLVE_PERCENTAGES,
         "weasyprint.layout.percent.resolve_one_percentage":
             "4cfaa9ad134e4f7bd8b61c7a6eba56678898545eb8c02f663f29c12a3aa16d54",
         "weasyprint.layout.percent.percentage": "ebe404ccd9da50bfc1cd147b8378c34ae1ca6b4ce38a97c0acca923116fcf0d9",
         "weasyprint.layout.percent.adjust_box_sizing":
             "88f3351db0280d16752c28f87f2a50344c0177dd5e20879e8b8da4be3ef4ec8e",
         **{f"weasyprint.layout.{name}.resolve_percentages": _RESOLVE_PERCENTAGES for name in percent.MODULES}},
        tuple(f"weasyprint.layout.{name}.resolve_percentages" for name in percent.MODULES),
        percent.install),
    Patch(
        "normal flow in one call", flow,
        "Box.is_in_normal_flow, asked of every child at every layout, is five method calls reading the "
        "style; press.flow's reads float and position once, and defers to WeasyPrint's for a box with an "
        "is_floated of its own (flex_children gives each flex item one).",
        {"weasyprint.formatting_structure.boxes.Box.is_in_normal_flow":
             "5f49d6ab23da7e51003ce68f78e8cb04629e9c2edbf51f77ffa8acd7098e0368",
         "weasyprint.formatting_structure.boxes.Box.is_floated":
             "6e6071b81868ea92a30a24506034cdbbed8d943d7075c86d1df386eac5b9f660",
         "weasyprint.formatting_structure.boxes.Box.is_absolutely_positioned":
             "397e0c33b3087681e486d5b2511db349c7b069144c717ace90e3ebfbcc61d111",
         "weasyprint.formatting_structure.boxes.Box.is_running":
             "1c451d5c39f4a663221d4c0171f9d2065e3ce6dc07c450b40fac81b9309638a2",
         "weasyprint.formatting_structure.boxes.Box.is_footnote":
             "3550ea0c868601870c2436360c86cbc01df1c53e1e50f40e7ac343977523b593",
         "weasyprint.formatting_structure.boxes.Box.is_note":
             "2651f1110437e2e311aae3e2c1fdf588b621975e1706bdf66796986422581c37",
         "weasyprint.formatting_structure.build.flex_children": "c2ae170c2a8daf14a1350fd2347538d3f261286472f6d61d3c167d4429519c05"},
        ("weasyprint.formatting_structure.boxes.Box.is_in_normal_flow",),
        flow.install),
    Patch(
        "no margin boxes for nothing", margins,
        "layout_document makes every page's sixteen margin boxes at every layout, and keeps those "
        "whose content is generated; press's sheets have no margin rule, so all were thrown away "
        "(2020-02: 1,200, 4.6% of the workers' time). press.margins makes none for a page type "
        "without a margin rule, leaving the page's anonymous style as making them left it.",
        {"weasyprint.layout.page.make_margin_boxes": _MAKE_MARGIN_BOXES,
         "weasyprint.layout.make_margin_boxes": _MAKE_MARGIN_BOXES,
         "weasyprint.layout.page._standardize_page_based_counters":
             "6c3791760c3fbe13e13bf08c4822d9857a163a2bbeecda3466b540f28500ebd0",
         "weasyprint.layout.layout_document": "a5cbf437e99caf7293e7ed2289278048bca734f7ead2e947b4e24e4a3a536dbc"},
        ("weasyprint.layout.make_margin_boxes", "weasyprint.layout.page.make_margin_boxes"),
        margins.install),
    Patch(
        "Pango layouts from a style worked out once", pangosetup,
        "Layout.setup makes a Pango context, language, font description, features and metrics from the "
        "style for each of the thousands of layouts of a part; press.pangosetup makes them at a style's "
        "first layout and keeps them with it, each layout still its own Pango layout and attribute list; "
        "and strut's line height and baseline, found in the font configuration under a key written out "
        "from fifteen of the style's values at each call, kept with the style at the first.",
        {"weasyprint.text.line_break.Layout.setup": "fb227a55094f41d42fbd57f180d8b7a9a1e741969ec8ddb3fd5cd80920257442",
         "weasyprint.text.line_break.strut": "b57885b70dd08efe92f72a746709e08c576f47b90edb36f02925fefa15bb761a"},
        ("weasyprint.text.line_break.Layout.setup",
         *(f"{module}.strut" for module in pangosetup.STRUT_MODULES)),
        pangosetup.install),
    Patch(
        "initial and inherited values in one step", initials,
        "ComputedStyle.__missing__ computes each property of a style at its first read, through the "
        "cascade, logical properties, inheritance and special cases; press.initials stores at once, for "
        "a property that nothing sets, its initial value (one that needs no computing) or its parent's "
        "computed value, and leaves every other read to WeasyPrint's.",
        {"weasyprint.css.ComputedStyle.__missing__":
             "b318d8efc8ac79d716f05cb81cc3abd65a32bd79601e363b218a32559bb3a5fb"},
        ("weasyprint.css.ComputedStyle.__missing__",),
        initials.install),
    Patch(
        "column balancing", balancing,
        "WeasyPrint balances the columns of a page by laying them out again at heights 1px or one "
        "lost space apart; press.balancing reaches the same height, and the same bytes, in fewer "
        "layouts. Its columns_layout is WeasyPrint's own source with a few lines changed.",
        {"weasyprint.layout.column.columns_layout": "7a05cce3272fc581cf8d9352ebe07d4de51fb742dfccd6d2e86895ac0eca9691",
         "weasyprint.layout.block.columns_layout": "7a05cce3272fc581cf8d9352ebe07d4de51fb742dfccd6d2e86895ac0eca9691"},
        ("weasyprint.layout.block.columns_layout",),
        balancing.install),
    Patch(
        "a Chinese line from a shorter draft", firstline,
        "split_first_line lays out a draft of the text left, four ems of characters per em of the line's "
        "width, to find its first line; Chinese characters are an em wide, so each line shaped four. "
        "press.firstline's is WeasyPrint's function with two for Chinese text (a draft too short is laid "
        "out whole, as before). Installed before press.composition wraps it.",
        {"weasyprint.text.line_break.split_first_line": _SPLIT_FIRST_LINE,
         "weasyprint.layout.preferred.split_first_line": _SPLIT_FIRST_LINE},
        ("weasyprint.text.line_break.split_first_line", "weasyprint.layout.preferred.split_first_line"),
        firstline.install),
    Patch(
        "Chinese line composition", composition,
        "Chinese lines justified by widening the gaps between characters (WeasyPrint widens only "
        "spaces, which Chinese has none of), an opening mark that starts a line trimmed by its "
        "blank half, and no more than two hyphenated lines in a row (hyphenate-limit-lines); "
        "widened runs drawn in a Span with ActualText, so their text extracts as written "
        "(draw_first_line, and the TJ strings it passes to pydyf's show_text).",
        {"weasyprint.layout.inline.count_expandable_spaces":
             "175fe6f42576ed3842d240a5048b4816ed702e8f97d49389b5b528aee51476ad",
         "weasyprint.layout.inline.justify_line": "f83b21ff8793ba6b6dfc5fe8e10e4ab6cd6e02b17de02da97200902166148a81",
         "weasyprint.layout.inline.add_word_spacing":
             "879516e71f1b80fa1833aee877e1a34c851248c5fd871d6c855c58f07358d418",
         "weasyprint.text.line_break.Layout.set_text":
             "fe23ca9937dbf5205bda422f9c01103f301ef2c511228842632ea86e853274f7",
         "weasyprint.layout.inline.iter_line_boxes": "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a",
         "weasyprint.layout.block.iter_line_boxes": "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a",
         "weasyprint.layout.inline.split_first_line":
             "39ad1016863ca34de0bea4c9fcffb46da7e27813c87dd82b7011bfa19fe5504f",
         "weasyprint.draw.text.draw_first_line": "1bb8eae6d88e71b17096a034656f3be17da8f1f513c78536c1c38d971927638b",
         "pydyf.Stream.show_text": "3e008af86f62f42c382b8d75f85a92022008f8254db58a9d8f58f137ee7bcc40"},
        ("weasyprint.layout.inline.count_expandable_spaces", "weasyprint.layout.inline.justify_line",
         "weasyprint.text.line_break.Layout.set_text", "weasyprint.layout.inline.iter_line_boxes",
         "weasyprint.layout.block.iter_line_boxes", "weasyprint.layout.inline.split_first_line",
         "weasyprint.draw.text.draw_first_line"),
        composition.install),
    Patch(
        "total-fit line breaking", paragraphs,
        "WeasyPrint fills each line greedily; press.paragraphs has the composer (press.linebreak, "
        "Knuth-Plass) choose every break of a justified paragraph together, and hands each line to "
        "WeasyPrint as the width to fill (get_next_linebox, split_inline_box), justifying a planned "
        "line that is a little wide by shrinking its spaces (text_align).",
        {"weasyprint.layout.inline.get_next_linebox":
             "67af458c2545e74f0803072103c6c5d392d5e353dfdaa4f5bac5a96e20ed024d",
         "weasyprint.layout.inline.split_inline_box":
             "3a0cb7ca7e34c7ef0feda818cdb8fea64b7a8332ccf83e12506289534f6faeae",
         "weasyprint.layout.inline.text_align": "e953d41b87ccfc30405f83f6cc3c73918ef4638662794db4f834b1d788d6ed67"},
        ("weasyprint.layout.inline.get_next_linebox", "weasyprint.layout.inline.split_inline_box",
         "weasyprint.layout.inline.text_align"),
        paragraphs.install),
    Patch(
        "notes in linear time, none lost", footnotes,
        "WeasyPrint lays out every note of the page again each time one is added, moved on or taken "
        "back, to learn the footnote area's height: quadratic in the notes of a paragraph, times the "
        "column balancer's trials (20 link notes: 204 area layouts). press.footnotes lays out each "
        "note once and sums their heights when nothing else stacks up (no margins, no min-height), "
        "capped by the area's max-height. A note moved on to the next page is not taken back there "
        "(WeasyPrint took back, and then lost, the notes of the page before's lines when it set a "
        "paragraph's rest again: remove_placeholders). A columns layout that moved a note on while its "
        "call stayed, or dropped its columns when a later one could not bring its notes along, is laid "
        "out again at the tallest height in whole lines whose notes fit under it (columns_layout, "
        "press.balancing's, wrapped). Each copy of a note in an area is set in the same line box, so its "
        "lines are set once (create_anonymous_boxes, wrapped), and the waiting notes are a list that "
        "knows the ids of its items (LayoutContext.footnotes). Installed before the line grid's and the wide "
        "figures' patches, which wrap it.",
        {"weasyprint.layout.LayoutContext._update_footnote_area":
             "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1",
         "weasyprint.layout.LayoutContext.layout_footnote": "5075f64aaae4a32d2ad552f8cc2e73e0bb833b79f9d586d7e23ab041b5fe83bd",
         "weasyprint.layout.LayoutContext.unlayout_footnote": "c7c223cf4a0fda5451c7da9f5a95603c21dda3f8286000c989b942ca71d58bfc",
         "weasyprint.layout.LayoutContext.report_footnote": "f05bad3895c6824c591301212219c70ab11c11df9277695eea639ea80baf1ee0",
         "weasyprint.layout.block.remove_placeholders": "ce16d97a1caacea0b8d73e44a1b54b768e0c76c6d58d4c414e5f10e77859bd08",
         # The columns' height from bottom_space, notes moved on by _report_footnotes, a line moved on with its notes.
         "weasyprint.layout.column.columns_layout": "7a05cce3272fc581cf8d9352ebe07d4de51fb742dfccd6d2e86895ac0eca9691",
         "weasyprint.layout.column._report_footnotes": "0e9226e4e92830f08b4e4ead50febc8aaabcefd02974819517f56f6075371b05",
         "weasyprint.layout.block._linebox_layout": "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d",
         # A note's copy in an area wrapped in a line box of its own, the page's area and a note's height laid
         # out from such copies; what Box.copy copies; the waiting notes a list set in __init__ and layout_document.
         "weasyprint.formatting_structure.build.create_anonymous_boxes":
             "f1e76cc779a8985537b04c91ed408f44ac5c5eb652552898fcb9eb01bf02f033",
         "weasyprint.formatting_structure.build.inline_in_block":
             "849ed9746b630850294399f31933f0ab27fc448354d4f02861998a065973ee66",
         "weasyprint.layout.page.make_page": "656f183328e8b1b56311a342621442056c067422958dcaf6730acdfb6c7b8971",
         "weasyprint.formatting_structure.boxes.Box.copy":
             "22622e649386908939f77356391d767d595fd83b58f7f82c8b045814f988f3d9",
         "weasyprint.layout.LayoutContext.__init__": "f687f507fee8883e8ba33bafd97f396820907cbcb9d050e4218f1f409c707685",
         "weasyprint.layout.layout_document": "a5cbf437e99caf7293e7ed2289278048bca734f7ead2e947b4e24e4a3a536dbc"},
        ("weasyprint.layout.LayoutContext._update_footnote_area", "weasyprint.layout.LayoutContext.layout_footnote",
         "weasyprint.layout.LayoutContext.unlayout_footnote", "weasyprint.layout.LayoutContext.report_footnote",
         "weasyprint.formatting_structure.build.create_anonymous_boxes"),
        footnotes.install),
    Patch(
        "trial layouts and kept lines", relayout,
        "WeasyPrint sets the same lines again and again (each trial height of the column balancing, "
        "each trial of the page make-up): a line is a function of its paragraph's line box, where it "
        "starts, its block's width and the composer's planned width, and where it stands only moves "
        "it; press.relayout keeps each line get_next_linebox sets, with its boxes, and hands out "
        "copies moved where they are asked for. Its layouts of boxes built before use "
        "Document._render's last steps.",
        {"weasyprint.layout.inline.get_next_linebox":
             "67af458c2545e74f0803072103c6c5d392d5e353dfdaa4f5bac5a96e20ed024d",
         "weasyprint.layout.inline.iter_line_boxes": "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a",
         # A layout of boxes built before: Document._render's last steps, a LayoutContext made as it makes one.
         "weasyprint.document.Document._render": "ebaceeb0fa8e79aaeb199a269e2748e2b36f6d95e98b7089e0dbc963bbca54d8",
         "weasyprint.layout.LayoutContext.__init__": "f687f507fee8883e8ba33bafd97f396820907cbcb9d050e4218f1f409c707685",
         # What a cascade kept of each element's declarations, to find those a float's move restyled.
         "weasyprint.css.ComputedStyle.__init__": "ffbc48647d0d85e240e76a164638f0aafb6464cda37ef1f89690d934bafa890e",
         "weasyprint.formatting_structure.boxes.Box.copy":
             "22622e649386908939f77356391d767d595fd83b58f7f82c8b045814f988f3d9"},
        ("weasyprint.layout.inline.get_next_linebox",),
        relayout.install),
    Patch(
        "line grid", grid,
        "Body lines of the two columns on the same baselines: inside a column, the position after "
        "each block (its bottom margin included) is rounded up to a whole line from the column's "
        "top, and a block at the top of a column drops its top margin, as WeasyPrint does at the "
        "top of a page (_in_flow_layout and block_level_layout_switch, wrapped); the note area's "
        "top is rounded onto a line of that grid (_update_footnote_area, wrapped).",
        {"weasyprint.layout.block._in_flow_layout": "c2537262836dd9812b584633bee887846dba6de921b3b31bff299c5ba29e6dca",
         "weasyprint.layout.block.block_level_layout_switch":
             "b963d54014264fcd18a3e12572c6c5a177106be6d1eddf36496ea3c98bc1337a",
         "weasyprint.layout.block.block_level_layout":
             "c1301dde9284e24519ee0432b508d6cd79768018d2564d4066f0fdf103982dd6",
         "weasyprint.layout.block.block_container_layout":
             "65842ca53a8391ebad539e7ff642eec2f429e981df4396590c37c7b0a0e524dc",
         "weasyprint.layout.LayoutContext._update_footnote_area":
             "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1"},
        ("weasyprint.layout.block._in_flow_layout", "weasyprint.layout.block.block_level_layout_switch",
         "weasyprint.layout.LayoutContext._update_footnote_area"),
        grid.install),
    Patch(
        "wide figures at the foot or the top of the page", floats,
        "WeasyPrint 70 has no page floats; a wide figure is set as a footnote without a call, the "
        "page's footnotes sorted so that the figures come first, between the text and the notes, as "
        "a bottom float would stand. One that does not fit there is deferred, not reported (which "
        "would take every later note of the page with it), and set at the top of the next page, above "
        "the text (make_page wrapped; the area is laid out when make_page assigns the page's "
        "footnote area, the page's height then known); or, past a part's last page, at the top of "
        "that page, set again.",
        {"weasyprint.layout.LayoutContext._update_footnote_area":
             "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1",
         "weasyprint.layout.LayoutContext.report_footnote":
             "f05bad3895c6824c591301212219c70ab11c11df9277695eea639ea80baf1ee0",
         "weasyprint.layout.LayoutContext.unlayout_footnote":
             "c7c223cf4a0fda5451c7da9f5a95603c21dda3f8286000c989b942ca71d58bfc",
         "weasyprint.layout.LayoutContext.__init__": "f687f507fee8883e8ba33bafd97f396820907cbcb9d050e4218f1f409c707685",
         "weasyprint.layout.page.make_page": "656f183328e8b1b56311a342621442056c067422958dcaf6730acdfb6c7b8971",
         "weasyprint.layout.page.make_all_pages": "b5e4034894841caa9581fa5d33338c71a7d8948be65618d358ab4b946f367edb",
         "weasyprint.layout.block._linebox_layout": "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"},
        ("weasyprint.layout.LayoutContext._update_footnote_area", "weasyprint.layout.LayoutContext.report_footnote",
         "weasyprint.layout.LayoutContext.unlayout_footnote", "weasyprint.layout.page.make_page"),
        floats.install),
    Patch(
        "page make-up passes", makeup,
        "Nothing of WeasyPrint's is replaced: press.makeup moves blocks in the element tree an HTML "
        "object parsed, and press.typeset sets it again after wrapping that tree anew (HTML.__init__ "
        "keeps the tree and its wrapper; Document._render builds styles from the one and boxes from "
        "the other). A WeasyPrint that does otherwise would set the tree as first parsed.",
        {"weasyprint.HTML.__init__": "5f19f40b81837f87ae7af8e5c53d5f11e7c98ba245094a86d45f5f14d001b943",
         "weasyprint.document.Document._render": "ebaceeb0fa8e79aaeb199a269e2748e2b36f6d95e98b7089e0dbc963bbca54d8"},
        (),
        lambda: None),
    Patch(
        "table columns from their content", tables,
        "A table cell's numbers with their measure words and short Chinese terms are kept whole "
        "(nowrap spans), which could make a table wider than its column; before its columns are "
        "set, such a table lets the kept runs of its head, then of its rows, break again "
        "(auto_table_layout, measuring with table_and_columns_preferred_widths and its cache).",
        {"weasyprint.layout.table.auto_table_layout":
             "8ce6f1e31a00b6c7558b83b7043f2b6a201b5c3ba9a99e50f3baf6a3bd6df91b",
         "weasyprint.layout.preferred.table_and_columns_preferred_widths":
             "1624962c403d0d26d4ddbbc87bc0d9efa7bf729276120c0e45bdc8ad1235305d"},
        ("weasyprint.layout.table.auto_table_layout",),
        tables.install),
    Patch(
        "PDF tags", tagging,
        "The language of any element that names one, footnotes as Note and their calls as "
        "Reference, alternative text without clreq's spacing characters: added to each structure "
        "element as WeasyPrint's private _build_box_tree yields it.",
        {"weasyprint.pdf.tags._build_box_tree": "f716251a83e7096e9cae972b63e633aab21c664d200582166dd0d5096780f9c4"},
        ("weasyprint.pdf.tags._build_box_tree",),
        tagging.install),
    Patch(
        "font subsetting arrays", sys.modules[__name__],
        "Font._harfbuzz_subset makes arrays typed 'hb_codepoint_t[N]', N the glyph count, and cffi "
        "parses every type string it has not seen (pycparser, 10-20 ms each): nearly every font "
        "of every part paid for a parse. Its module's ffi is wrapped so they are open arrays.",
        {"weasyprint.pdf.fonts.Font._harfbuzz_subset":
             "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f"},
        ("weasyprint.pdf.fonts.ffi",),
        _open_arrays),
    Patch(
        "libraries found by their file names", typeset,
        "press.typeset.import_weasyprint imports WeasyPrint with ctypes.util.find_library answering "
        "nothing: _dlopen tries each library's names in turn, and cffi looks up every name that does "
        "not load with find_library (ldconfig, gcc, ld: 0.25 CPU-s). The file name in each list loads.",
        {"weasyprint.text.ffi._dlopen": "9ab3167cbc80487105bc61a3350eeb88c64b5bece5dd8f3fae6556db441f9c78"},
        (),
        lambda: None),
    Patch(
        "fontTools' subsetter imported on use", typeset,
        "press.typeset.import_weasyprint imports WeasyPrint with fontTools.subset and "
        "fontTools.varLib.instancer standing in for themselves until a name of theirs is read: "
        "weasyprint.pdf.fonts imports them for a font HarfBuzz cannot subset and for a variable font "
        "(Font._fonttools_subset, Font.clean), neither of which the project's faces are. Their import "
        "was 0.1 CPU-s of the first worker's.",
        {"weasyprint.pdf.fonts.Font.clean": "794f0211f18453f1a291056fcd6659cdcb262f7c1133cf5b2ea015df379c6813",
         "weasyprint.pdf.fonts.Font._fonttools_subset":
             "1faa45f3c4cae67e0a8eace77b1ff41f8e161607a502c3daf6baf5879bf5952b"},
        (),
        lambda: None),
    Patch(
        "presentational hints parsed on use", typeset,
        "press.typeset.import_weasyprint imports weasyprint.html with its presentational hints' "
        "stylesheet parsed when first read: only a document rendered with the presentational_hints "
        "option reads it (get_all_computed_styles, through HTML._ph_stylesheets), and press sets none. "
        "Its parse was 0.025 CPU-s of WeasyPrint's import. The module is fingerprinted whole: its one "
        "CSS() without a counter style must be that sheet.",
        {"weasyprint.html": "a11b729157862291a6ecf7b7b3517c59d4242ea05a7f9b8d9d96a9882425ad65",
         "weasyprint.HTML._ph_stylesheets": "f9dab3b96420c3f53ce08f2ecb84ccf923efbff220c0d5d0da2a5e7ae6ca7922",
         "weasyprint.css.get_all_computed_styles":
             "e4063ec7d60e70bedff3e00ab9f0a34cd93413c13f5eb6aa6f019112bef6181b"},
        (),
        lambda: None),
    Patch(
        "streams deflated once", deflate,
        "pydyf compresses every stream of a PDF as it writes it; serve writes an edited article's part "
        "again, mostly the same fonts and pages: press.deflate keeps what it compressed by its bytes "
        "(pydyf's Stream.data, its compression alone changed).",
        {"pydyf.Stream.data.fget": "bdc2bc513f286de7b7a7220a43e6085daa6ed0056d9c04e3c9b5abe40f3ecf81"},
        ("pydyf.Stream.data",),
        deflate.install),
    Patch(
        "fonts subset once", subsets,
        "WeasyPrint subsets every face of a part with HarfBuzz as it writes the part's PDF; serve writes "
        "an edited article's part again, most often with the same glyphs: press.subsets keeps each "
        "subset by the face's bytes and glyphs (Font.subset, wrapped; _harfbuzz_subset sets the "
        "face's bytes alone).",
        {"weasyprint.pdf.fonts.Font.subset": "61ed6bc2e9a7e43a7ad4c50e4bd61a0c5b6db06069754e66c6e328f4a97a6311",
         "weasyprint.pdf.fonts.Font._harfbuzz_subset":
             "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f"},
        ("weasyprint.pdf.fonts.Font.subset",),
        subsets.install),
)

_INSTALLED: list[bool] = []


def install() -> None:
    """Check every patch against the installed WeasyPrint, then install them all (once per process)."""
    if _INSTALLED:
        return
    import weasyprint

    problems = [error(_where(patch), None, message, code="patch.changed") for patch in PATCHES for message in _mismatches(patch)]
    if problems:
        raise PressError(problems)
    before = {path: _resolve(path) for patch in PATCHES for path in patch.replaces}
    for patch in PATCHES:
        patch.install()
        for path in patch.replaces:
            if _resolve(path) is before[path]:
                raise PressError.at(_where(patch), None, f"the patch '{patch.name}' did not take: {path} is still "
                                    f"WeasyPrint {weasyprint.__version__}'s own", code="patch.failed")
    _INSTALLED.append(True)


def _mismatches(patch: Patch) -> list[str]:
    found = []
    for path, wanted in patch.originals.items():
        package = path.split(".")[0]
        name, written_for = PACKAGE_NAMES[package], WRITTEN_FOR[package]
        version = getattr(importlib.import_module(package), "__version__", "?")
        try:
            actual = _quick_fingerprint(path)
            if actual != wanted:
                actual = fingerprint(path)  # as inspect reads it: the fingerprints were taken so
        except (ImportError, AttributeError):
            change = "is gone"
        except (OSError, TypeError):
            change = "has no source to check"
        else:
            if actual == wanted:
                continue
            change = f"has changed (source sha256 {actual[:12]}…, not {wanted[:12]}…)"
        found.append(f"{name} {version}: {path} {change}, and the patch '{patch.name}' was written for it as in "
                     f"{name} {written_for}. Install {package}=={written_for} (the pin of pyproject.toml), "
                     "or port the patch (see press/patches.py)")
    return found


def fingerprint(path: str) -> str:
    return hashlib.sha256(inspect.getsource(_resolve(path)).encode()).hexdigest()


def _quick_fingerprint(path: str) -> str | None:
    """A function's fingerprint from the lines its code spans (its first line, decorators included,
    to the last line of its last statement): inspect.getsource's text, found without tokenizing
    the module from the function on as inspect does (the 44 checks of a build: 0.066 -> 0.005
    CPU-s). A source that differs is read again by inspect before it is said to have changed."""
    text = _quick_source(_resolve(path))
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def _quick_source(function) -> str | None:
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    last = max((end for _, end, _, _ in code.co_positions() if end is not None), default=code.co_firstlineno)
    return "".join(linecache.getlines(code.co_filename)[code.co_firstlineno - 1:last])


def source(function) -> str:
    """The source of a WeasyPrint function that a patch changes (press.balancing, press.firstline),
    as fingerprinted: the lines its code spans, when they are a fingerprint's text, without
    inspect's tokenizing (0.03 CPU-s of the first worker's warm-up for the two); else inspect's."""
    text = _quick_source(function)
    wanted = {digest for patch in PATCHES for digest in patch.originals.values()}
    if text is not None and hashlib.sha256(text.encode()).hexdigest() in wanted:
        return text
    return inspect.getsource(function)


def _resolve(path: str):
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            if i == 1:
                raise
    for name in parts[i:]:
        obj = getattr(obj, name)
    return obj


def _where(patch: Patch) -> Path:
    return Path(patch.module.__file__)


if __name__ == "__main__":
    installed = ", ".join(f"{PACKAGE_NAMES[p]} {importlib.import_module(p).__version__}" for p in WRITTEN_FOR)
    written = ", ".join(f"{PACKAGE_NAMES[p]} {v}" for p, v in WRITTEN_FOR.items())
    print(f"installed: {installed}; fingerprints written for {written}")
    for patch in PATCHES:
        for path, wanted in patch.originals.items():
            try:
                actual = fingerprint(path)
            except (ImportError, AttributeError, TypeError, OSError) as exc:
                actual = f"missing ({type(exc).__name__})"
            print(f"{'ok     ' if actual == wanted else 'CHANGED'} {patch.name}: {path} {actual}")
