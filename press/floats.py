"""Wide figures as page floats at the foot of the page, above its notes.

WeasyPrint 70 has no top or bottom page floats (CSS GCPM `float: bottom`),
but it has footnotes: a `float: footnote` element is set, full text width,
at the foot of the page on which it is called, and when it does not fit,
its calling line moves on with it. styles/press.css sets a wide figure
({.wide}) so, without call or marker. WeasyPrint sets a page's footnotes in
the order of their calls; this patch puts its wide figures first, so that a
figure stands between the text and the notes, as a bottom float would, and
the notes keep their numeric order below it.

WeasyPrint is pinned (requirements.lock); tests/test_layout.py checks the
figure's place on the built pages.
"""

from __future__ import annotations


def _is_wide(box) -> bool:
    element = getattr(box, "element", None)
    return element is not None and "wide" in (element.get("class") or "").split()


def install() -> None:
    """Patch WeasyPrint's layout context (already imported)."""
    from weasyprint.layout import LayoutContext

    if getattr(LayoutContext, "_press_floats", False):
        return
    LayoutContext._press_floats = True
    update = LayoutContext._update_footnote_area

    def update_footnote_area(self):
        # Stable: the figures keep their order among themselves, the notes theirs.
        self.current_page_footnotes.sort(key=lambda box: not _is_wide(box))
        return update(self)

    LayoutContext._update_footnote_area = update_footnote_area
