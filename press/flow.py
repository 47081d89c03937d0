"""Whether a box is in normal flow, in one call.

WeasyPrint asks Box.is_in_normal_flow of every child of every block it lays out, again at
every layout (56,000 times in 2020-02's typesetting), and each answer is five method calls
(is_floated, is_absolutely_positioned, is_running, is_footnote, is_note), each reading the
style. This is the same answer from the same two properties read once: not floated (left,
right, inline-start, inline-end) nor a footnote, not absolutely positioned nor fixed, not
running() nor note(); WeasyPrint's own for a box whose is_floated is its own (a flex item's).
press/patches.py checks the six methods' sources, and flex_children's, before it is installed.
"""

from __future__ import annotations

# float values that take a box out of the flow: floated (Box.is_floated) or a footnote (Box.is_footnote)
_OUT_OF_FLOW_FLOATS = ("left", "right", "inline-start", "inline-end", "footnote")


def install() -> None:
    """Box.is_in_normal_flow, the one above."""
    from weasyprint.formatting_structure import boxes

    original = boxes.Box.is_in_normal_flow

    def is_in_normal_flow(self):
        """Return whether this box is in normal flow (WeasyPrint's docstring)."""
        if "is_floated" in self.__dict__:  # a flex item's own (build.flex_children: never floated)
            return original(self)
        style = self.style
        if style["float"] in _OUT_OF_FLOW_FLOATS:
            return False
        position = style["position"]
        return not (position in ("absolute", "fixed") or position[0] in ("running()", "note()"))

    is_in_normal_flow.__wrapped__ = original  # tests compare the two
    boxes.Box.is_in_normal_flow = is_in_normal_flow
