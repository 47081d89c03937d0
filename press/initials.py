"""A property's initial or inherited value, as computed style, in one step.

WeasyPrint computes each property of an element's style the first time it is read
(ComputedStyle.__missing__): 2020-02's typesetting read 90,000 of them, 8% of the workers'
samples (py-spy), most of them a margin, padding, size or other property that no rule of the
sheets sets: its computed value is its initial value as it is, or its parent's. For such a
property (not cascaded, nor its logical twin margin-inline-start and the like in either
direction; none of the special cases of float, display, position, page, text decorations and
custom properties) this stores and returns the initial value, if the property is not inherited
and its initial value needs no computing and holds no math, or the parent's computed value, if
it is inherited and the element has a parent and that value holds no math: as WeasyPrint's own
does in the end. Every other read is WeasyPrint's.
press/patches.py checks the function's source before it is installed.
"""

from __future__ import annotations


def install() -> None:
    """ComputedStyle.__missing__, the one below."""
    from weasyprint.css import ComputedStyle
    from weasyprint.css.computed_values import PHYSICAL_FUNCTIONS
    from weasyprint.css.functions import check_math
    from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES

    special = {"float", "display", "position", "page"}
    # property → the logical properties that may stand for it (WeasyPrint's block is always 'ttb')
    plain = {key: tuple({PHYSICAL_FUNCTIONS[key](block="ttb", inline=inline) for inline in ("ltr", "rtl")})
                    if key in PHYSICAL_FUNCTIONS else ()
             for key, value in INITIAL_VALUES.items()
             if key not in INHERITED and key not in INITIAL_NOT_COMPUTED and key not in special
             and not key.startswith(("__", "text_decoration_")) and not check_math(value)}
    inherited = {key for key in INHERITED if key not in PHYSICAL_FUNCTIONS and key not in special
                 and not key.startswith(("__", "text_decoration_"))}
    original = ComputedStyle.__missing__

    def __missing__(self, key):
        logical = plain.get(key)
        if logical is not None:
            cascaded = self.cascaded
            if key not in cascaded and not any(name in cascaded for name in logical):
                value = self[key] = INITIAL_VALUES[key]
                return value
        elif key in inherited:
            parent = self.parent_style
            if parent is not None and key not in self.cascaded:
                value = parent[key]  # computed already, unless it holds math that WeasyPrint resolves here
                if not check_math(value):
                    self[key] = value
                    return value
        return original(self, key)

    __missing__.__wrapped__ = original  # tests compare the two
    ComputedStyle.__missing__ = __missing__
