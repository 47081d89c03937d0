"""A property's initial value, as computed style, in one step.

WeasyPrint computes each property of an element's style the first time it is read
(ComputedStyle.__missing__): 2020-02's typesetting read 90,000 of them, 8% of the workers'
samples (py-spy), most of them a margin, padding, size or other property that no rule of the
sheets sets and that is not inherited, whose computed value is its initial value as it is. For
such a property (not cascaded, nor its logical twin margin-inline-start and the like in either
direction; not inherited; its initial value one that needs no computing, no math and none of the
special cases of float, display, position, page and text decorations) this stores and returns
the initial value, as WeasyPrint's own does in the end; every other read is WeasyPrint's.
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
    original = ComputedStyle.__missing__

    def __missing__(self, key):
        logical = plain.get(key)
        if logical is not None:
            cascaded = self.cascaded
            if key not in cascaded and not any(name in cascaded for name in logical):
                value = self[key] = INITIAL_VALUES[key]
                return value
        return original(self, key)

    __missing__.__wrapped__ = original  # tests compare the two
    ComputedStyle.__missing__ = __missing__
