"""The height of a page's footnote area, from each note's height, in time linear in its notes.

WeasyPrint 70 recomputes the footnote area every time a note is added to a page, moved on or
taken back (LayoutContext._update_footnote_area): it copies the whole area and lays out every
note on the page again, to learn one number, its height. A line that calls a note does so on
each of the column balancer's trial heights, so a paragraph of n link notes laid out every note
about 10 n² times: 20 notes cost 204 area layouts (96 % of the part's time), 1,000 an hour.

The area's height is the sum of its notes' heights when nothing but their heights stacks up: no
margin on the notes to collapse and no min-height on the area (styles/press.css sets none).
So each note is laid out once, alone in a copy of the area, and its height kept for the
rest of the part; the area's height is summed in WeasyPrint's own order from the area's top.
The area's max-height (styles/press.css: 70 % of the text block) caps the sum, and a note past
it is said to overflow, as WeasyPrint says it: its line then goes on to the next page with it
(footnote-policy: line). Anything else (a margin, a min-height) is left to WeasyPrint's own
function, which is also the one the page's final footnote area is laid out by (make_page).

press/patches.py installs this patch once it has checked that _update_footnote_area is the one
it was written for; tests/test_notes_counted.py times a paragraph of 1,000 links.
"""

from __future__ import annotations

from math import inf


def install() -> None:
    """Patch WeasyPrint's layout context (already imported)."""
    from weasyprint import layout
    from weasyprint.formatting_structure import build

    if getattr(layout.LayoutContext, "_press_footnotes", False):
        return
    layout.LayoutContext._press_footnotes = True
    original = layout.LayoutContext._update_footnote_area

    def note_height(context, area, note) -> float | None:
        """The margin height of `note` laid out alone in the area (None: it has a margin)."""
        kept = context.__dict__.setdefault("_press_note_heights", {})
        key = (id(note), area.width)
        if key not in kept:
            area.children = [note]
            probe = build.create_anonymous_boxes(area.deepcopy())
            laid = layout.block_level_layout(context, probe, -inf, None, area.page)[0]
            child = laid.children[0] if laid is not None and len(laid.children) == 1 else None
            height = child.margin_height() if child is not None and not (child.margin_top or child.margin_bottom) \
                else None
            kept[key] = (note, height)  # the note kept alive with it: its id is not reused meanwhile
        return kept[key][1]

    def update_footnote_area(self):
        area, notes = self.current_footnote_area, self.current_page_footnotes
        if not notes or area.min_height not in (0, "auto"):
            return original(self)
        heights = [note_height(self, area, note) for note in notes]
        area.children = notes
        if None in heights:
            return original(self)
        if area.height != "auto" and not self.in_column:
            self.page_bottom += area.margin_height()
        top = area.content_box_y()
        bottom = top
        for height in heights:
            bottom += height
        # As block_container_layout sets an auto height: the notes' height, at most max-height.
        area.height = min(bottom - top, area.max_height)
        if not self.in_column:
            self.page_bottom -= area.margin_height()
        return bottom - top > area.height  # the last note sticks out: WeasyPrint moves it on

    layout.LayoutContext._update_footnote_area = update_footnote_area
    _keep_carried_notes(layout.LayoutContext)


def _keep_carried_notes(context_class) -> None:
    """A note moved on to the next page stays there. make_page sets the notes the page before
    moved on (reported) first; then, when the page's content is set again (a column balancing
    trial, a block that is aborted), WeasyPrint takes back the notes of every line of a paragraph
    from where it resumes to its end, the lines of the page before included
    (remove_placeholders over box.children[skip:]). A note so taken back whose call is on the
    page before is laid out by nothing after: two of the notes of a 1,000-link paragraph were
    lost so. So a note carried over is not taken back on its page."""
    layout_footnote, unlayout_footnote = context_class.layout_footnote, context_class.unlayout_footnote
    report_footnote = context_class.report_footnote

    def report(self, footnote):
        report_footnote(self, footnote)
        # make_page starts each page with a new list: a note found in the one before is carried over.
        # (When make_page moves some of them on again, it slices that list, and the rest go unguarded:
        # stages._note_problems would then say so. Guarding every note ever moved on put notes a page
        # before their calls, 8 of 100.)
        self._press_reported = self.reported_footnotes

    def place(self, footnote):
        moved_on = getattr(self, "_press_reported", None)
        if moved_on is not None and moved_on is not self.reported_footnotes and footnote in moved_on:
            self.__dict__.setdefault("_press_carried", {}).setdefault(self.current_page, set()).add(id(footnote))
        return layout_footnote(self, footnote)

    def take_back(self, footnote):
        carried = getattr(self, "_press_carried", {}).get(self.current_page, ())
        if id(footnote) in carried and footnote in self.current_page_footnotes:
            return None
        return unlayout_footnote(self, footnote)

    context_class.report_footnote, context_class.layout_footnote = report, place
    context_class.unlayout_footnote = take_back
