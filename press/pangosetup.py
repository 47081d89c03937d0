"""A Pango layout made from what its style asks, worked out once per style.

WeasyPrint makes a Pango layout for every piece of text it measures, splits or draws (Layout.setup:
once per text box laid out, once more per box drawn, reactivated), and each time it works out
again, from the style, a new Pango context with its direction and language, a font description,
the font features as a string, and the font metrics for a decorated text. 2020-02's typesetting
made 5,000 layouts from a few hundred styles: Layout.setup was 5.9% of the workers' samples
(py-spy). This is the same setup with what depends on the style alone made at the first layout of
a style and kept with it: the context (never changed once made: a layout reads its settings as
WeasyPrint's own would), the language, the description (Pango copies it into each layout), the
feature attribute and the metrics. Each layout still gets its own Pango layout and attribute list,
which set_text changes. press/patches.py checks Layout.setup's source before it is installed.

The same for strut, the line height and baseline of a style's font, which lines and inline boxes
ask of their style again and again: WeasyPrint keeps them in its font configuration under a key
written out as a string of fifteen of the style's values at every call (2020-02: about 0.06 CPU-s
of the workers' by py-spy); here the first answer is kept with the style too. press/patches.py
checks strut's source.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Made:
    """What a style's layouts share (cdata kept alive here, as long as the style)."""

    font_map: Any
    context: Any
    language: Any
    description: Any
    features: Any  # the font-features attribute (WeasyPrint's own, kept by the font configuration), or None
    metrics: tuple | None  # ascent, underline and strikethrough positions and thicknesses, for a decorated text


_KEY = "_press_pango"  # in the style's __dict__: a copy of the style (box.style.copy()) works it out again
_STRUT = "_press_strut"  # (the font configuration, strut's answer), in the style's __dict__, as above
# The modules that imported WeasyPrint's strut by name.
STRUT_MODULES = ("weasyprint.text.line_break", "weasyprint.layout.inline", "weasyprint.css.units",
                 "weasyprint.css.computed_values")


def install() -> None:
    """Layout.setup, the one below."""
    from weasyprint.text import line_break
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features, get_font_description

    def made(style) -> _Made:
        font_map = style.font_config.font_map
        pango_context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(pango_context, False)
        pango.pango_context_set_base_dir(pango_context, PANGO_DIRECTION[style["direction"]])
        if style["font_language_override"] != "normal":
            lang_p, lang = unicode_to_char_p(LST_TO_ISO.get(
                style["font_language_override"].lower(), style["font_language_override"]))
        elif style["lang"]:
            lang_p, lang = unicode_to_char_p(style["lang"])
        else:
            lang = None
            language = pango.pango_language_get_default()
        if lang:
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(pango_context, language)
        assert not isinstance(style["font_family"], str), "font_family should be a list"
        font_description = get_font_description(style)
        metrics = None
        if style["text_decoration_line"] != "none":
            found = ffi.gc(pango.pango_context_get_metrics(pango_context, font_description, language),
                           pango.pango_font_metrics_unref)
            metrics = tuple(FROM_UNITS * get(found) for get in (
                pango.pango_font_metrics_get_ascent, pango.pango_font_metrics_get_underline_position,
                pango.pango_font_metrics_get_strikethrough_position,
                pango.pango_font_metrics_get_underline_thickness,
                pango.pango_font_metrics_get_strikethrough_thickness))
        features = font_features(
            style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
            style["font_variant_caps"], style["font_variant_numeric"], style["font_variant_alternates"],
            style["font_variant_east_asian"], style["font_feature_settings"])
        attr = None
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attr = style.font_config.font_features.setdefault(features, pango.pango_attr_font_features_new(features))
        return _Made(font_map, pango_context, language, font_description, attr, metrics)

    def setup(self, style):
        self.style = style
        self.first_line_direction = 0
        kept = style.__dict__.get(_KEY)
        if kept is None or kept.font_map is not style.font_config.font_map:
            kept = style.__dict__[_KEY] = made(style)
        self.language = kept.language
        self.layout = ffi.gc(pango.pango_layout_new(kept.context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, kept.description)
        if kept.metrics is not None:
            (self.ascent, self.underline_position, self.strikethrough_position, self.underline_thickness,
             self.strikethrough_thickness) = kept.metrics
        else:
            self.ascent = self.underline_position = self.strikethrough_position = None
        if kept.features is not None:
            attr_list = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attr_list, kept.features)
            pango.pango_layout_set_attributes(self.layout, attr_list)

    setup.__wrapped__ = line_break.Layout.setup  # tests compare the two
    line_break.Layout.setup = setup

    original_strut = line_break.strut

    def strut(style):
        """The used line height and the baseline from the top of it (WeasyPrint's strut)."""
        kept = style.__dict__.get(_STRUT)
        if kept is None or kept[0] is not style.font_config:
            kept = style.__dict__[_STRUT] = (style.font_config, original_strut(style))
        return kept[1]

    strut.__wrapped__ = original_strut  # tests compare the two
    for name in STRUT_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "strut", None) is original_strut:
            module.strut = strut
