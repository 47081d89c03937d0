"""Wide figures as page floats: at the foot of the page where they are called, above its
notes, or else at the top of the next page.

WeasyPrint 70 has no top or bottom page floats (CSS GCPM `float: top / bottom`), but it has
footnotes: a `float: footnote` element is set, full text width, at the foot of the page on
which it is called. styles/press.css sets a wide figure ({.wide}) so, without call or marker.
WeasyPrint sets a page's footnotes in the order of their calls; this patch puts its wide
figures first, so that a figure stands between the text and the notes, as a bottom float
would, and the notes keep their numeric order below it.

A footnote that does not fit is "reported" to the next page, and from then on every later
note of the page is reported too (WeasyPrint keeps notes in order), so a wide chart that
missed the foot took the page's notes with it, away from their calls. Here a wide figure
that does not fit is deferred instead: the text and its notes go on filling the page, and
the figure opens the next page, across both columns, above the text (a top area, the mirror
of the footnote area: the next page's text is laid out in a page shortened by the figure's
height, then moved down under it). A figure deferred from the last page of a part, where
no page follows, is placed at the top of that last page instead, which is set again: the
text after the call then runs on to a new page, and no page holds the chart alone.

press/patches.py installs this patch, once it has checked that the WeasyPrint functions it
wraps or relies on are the ones it was written for; tests/test_wide_figures.py checks the
figures' places on built pages.
"""

from __future__ import annotations

import copy
from math import inf


def is_wide(box) -> bool:
    element = getattr(box, "element", None)
    return element is not None and "wide" in (element.get("class") or "").split()


def _still_sorted(notes: list, sorted_before: list | None) -> bool:
    """Whether the page's notes are still figures first, as sorted at the area's last update:
    that list with notes taken off its end, or with notes (no figure) added to it. The area is
    updated for each note added or taken back; sorting the page's notes each time, a key looked
    up for each, was a part of the cost of a page of hundreds of link notes."""
    if sorted_before is None:
        return False
    count = len(sorted_before)
    if len(notes) < count:
        return sorted_before[:len(notes)] == notes  # lists compare by identity first: boxes have no __eq__
    return notes[:count] == sorted_before and not any(is_wide(box) for box in notes[count:])


class _Tops:
    """The wide figures each page of a layout opens with, by page number: deferred from the
    page before, or put back on the last page. Kept on the layout context."""

    def __init__(self, footnotes) -> None:
        self.pages: dict[int, list] = {}
        self.order = {id(box): i for i, box in enumerate(footnotes)}  # source order
        self.pending: list = []  # the figures of the page being made, until its area exists
        self.area = None  # the laid-out top area of the page being made
        self.height = 0.0

    def defer(self, figure, page: int) -> None:
        figures = self.pages.setdefault(page + 1, [])
        figures.append(figure)
        figures.sort(key=lambda box: self.order.get(id(box), 0))

    def placed(self, page: int) -> list:
        """The figures set at the top of `page` or of a page before it."""
        return [box for number, figures in self.pages.items() if number <= page for box in figures]

    def take_back(self, figure, page: int) -> bool:
        """Undo a deferral made on `page` (its call's line was discarded)."""
        figures = self.pages.get(page + 1, [])
        for i, box in enumerate(figures):
            if box is figure:
                del figures[i]
                return True
        return False

    def forget_after(self, page: int) -> None:
        """Making `page` (again) decides what the pages after it open with."""
        for number in [n for n in self.pages if n > page]:
            del self.pages[number]


def _lay_out_top(context, page, figures):
    """The figures in a box at the top of the page's content area, and the height it takes
    from the text: from the picture's top (the figure's own top padding is for the space
    above it at the foot) to under its caption's bottom padding."""
    from weasyprint.formatting_structure import boxes, build
    from weasyprint.layout.block import block_level_layout
    from weasyprint.layout.percent import resolve_percentages

    area = boxes.FootnoteAreaBox(page, page.style.anonymous_style)
    resolve_percentages(area, page)
    area.position_x = page.content_box_x()
    area.position_y = page.content_box_y()
    area.children = figures
    area = build.create_anonymous_boxes(area.deepcopy())
    area = block_level_layout(context, area, -inf, None, page)[0]
    lift = area.children[0].padding_top if area.children else 0
    area.translate(dy=-lift)
    return area, area.margin_height() - lift


def install() -> None:
    """Patch WeasyPrint's layout context and page maker (already imported)."""
    from weasyprint.layout import LayoutContext, page as page_module

    if getattr(LayoutContext, "_press_floats", False):
        return
    LayoutContext._press_floats = True
    update = LayoutContext._update_footnote_area
    report = LayoutContext.report_footnote
    unlayout = LayoutContext.unlayout_footnote
    make_page = page_module.make_page

    def update_footnote_area(self):
        notes = self.current_page_footnotes
        if not _still_sorted(notes, self.__dict__.get("_press_sorted_notes")):
            # Stable: the figures keep their order among themselves, the notes theirs.
            notes.sort(key=lambda box: not is_wide(box))
        self.__dict__["_press_sorted_notes"] = list(notes)
        return update(self)

    def report_footnote(self, footnote):
        tops = self.__dict__.get("_press_tops")
        if tops is None or not is_wide(footnote):
            return report(self, footnote)
        # Deferred, not reported: the notes after it stay on their calls' page.
        self.current_page_footnotes.remove(footnote)
        tops.defer(footnote, self.current_page)
        self._update_footnote_area()

    def unlayout_footnote(self, footnote):
        tops = self.__dict__.get("_press_tops")
        if tops is not None and is_wide(footnote):
            if any(footnote is box for box in tops.placed(self.current_page)):
                return  # set at the top of this page or one before: its call may come and go, the figure stays
            if tops.take_back(footnote, self.current_page):
                if footnote not in self.footnotes:
                    self.footnotes.append(footnote)
                return
        return unlayout(self, footnote)

    # make_page assigns the page's footnote area once the page's height is known and before
    # anything is laid out on it: there the top area takes its height from the page.
    def get_area(self):
        return self.__dict__.get("_press_footnote_area")

    def set_area(self, area):
        self.__dict__["_press_footnote_area"] = area
        tops = self.__dict__.get("_press_tops")
        if area is None or tops is None or not tops.pending:
            return
        tops.area, tops.height = _lay_out_top(self, area.page, tops.pending)
        tops.pending = []
        self.page_bottom -= tops.height

    def make_page_with_tops(context, root_box, page_type, resume_at, page_number, page_state):
        tops = context.__dict__.get("_press_tops")
        if tops is None or page_number == 1:
            tops = context.__dict__["_press_tops"] = _Tops(context.footnotes)
        tops.forget_after(page_number)
        remake_state = context.page_maker[page_number - 1][-1]
        saved = (list(context.footnotes), list(context.reported_footnotes), context.broken_out_of_flow,
                 copy.deepcopy(page_state), {key: list(remake_state.get(key, ())) for key in _RECORDED})
        page, resume_at_next, next_page = _make(context, root_box, page_type, resume_at, page_number,
                                                page_state, tops)
        last = tops.pages.pop(page_number + 1, None) if resume_at_next is None else None
        if last:
            # No page follows to open with them: they open this one, set again.
            tops.pages.setdefault(page_number, []).extend(last)
            context.footnotes[:], context.reported_footnotes[:] = saved[0], saved[1]
            context.broken_out_of_flow = saved[2]
            _restore(page_state, saved[3])
            remake_state.update(saved[4])  # the page's anchors and lookups, recorded again
            page, resume_at_next, next_page = _make(context, root_box, page_type, resume_at, page_number,
                                                    page_state, tops)
            if resume_at_next is None:
                # Still deferred past the end (a later figure, shortened out): WeasyPrint's own
                # way, a page of their own.
                context.reported_footnotes.extend(tops.pages.pop(page_number + 1, ()))
        return page, resume_at_next, next_page

    def _make(context, root_box, page_type, resume_at, page_number, page_state, tops):
        figures = tops.pages.get(page_number, [])
        # Out of the waiting notes, with those of the pages before: WeasyPrint puts every note
        # back there when it lays the document out again, and a call that comes after its
        # figure (on this page, or on the next) must not set it a second time.
        for figure in tops.placed(page_number):
            if figure in context.footnotes:
                context.footnotes.remove(figure)
        tops.pending, tops.area, tops.height = list(figures), None, 0.0
        page, resume_at_next, next_page = make_page(context, root_box, page_type, resume_at, page_number,
                                                    page_state)
        if tops.area is not None:
            root = page.children[0]
            root.translate(dy=tops.height)
            root.children = [*tops.area.children, *root.children]  # the figures: the area draws nothing
            tops.area = None
        return page, resume_at_next, next_page

    LayoutContext._update_footnote_area = update_footnote_area
    LayoutContext.report_footnote = report_footnote
    LayoutContext.unlayout_footnote = unlayout_footnote
    LayoutContext.current_footnote_area = property(get_area, set_area)
    page_module.make_page = make_page_with_tops


_RECORDED = ("anchors", "content_lookups")  # what make_page appends to its page's remake state


def _restore(page_state, saved) -> None:
    """Put the page state make_page updated (quotes, counters, scopes, page groups) back as
    it was, in place: the page maker keeps this very object for the next page."""
    for now, before in zip(page_state, saved):
        if isinstance(now, dict):
            now.clear()
            now.update(before)
        else:
            now[:] = before


def close_up_last_page(document) -> None:
    """A wide figure at the foot of a part's last page, with white between the end of the text
    and the figure, is drawn right under the text instead: nothing follows on that page, and a
    chart left at the foot stands apart from the ending it belongs to (2020-09's grain output
    chart, 4 lines of text above 90 mm of white). Drawn only, as `position: relative` is: the
    notes stay at the foot, and nothing else on the page moves. Each page of a part is laid out
    and read by the make-up before this, so it changes no decision."""
    if not document.pages:
        return
    page = document.pages[-1]._page_box
    areas = [box for box in page.children if type(box).__name__ == "FootnoteAreaBox"]
    figures = [box for area in areas for box in area.children if is_wide(box)]
    text = [box for box in page.children if box not in areas and type(box).__name__ != "MarginBox"]
    bottom = max((drawn_bottom(box) for box in text), default=None)
    if not figures or bottom is None:
        return
    line = figures[0].style["font_size"] * 1.5  # a line of white between the text and the figure
    shift = bottom + line - figures[0].position_y
    if shift < -2 * line:  # more than a couple of lines of white: close it up
        for figure in figures:
            figure.translate(dy=shift)
        for area in areas:
            _rule_over_notes(area)


def _rule_over_notes(area) -> None:
    """The area's rule (its top border) over the notes left at the foot, not where the figure
    drawn up stood: a rule halfway down an empty page, far above the notes, would part nothing.
    An area that holds no note any more draws no rule."""
    notes = [box for box in area.children if not is_wide(box)]
    if not notes:
        area.border_top_width = 0
        return
    drop = min(box.position_y for box in notes) - area.content_box_y()
    if drop > 0:
        area.position_y += drop
        area.height -= drop


def drawn_bottom(box) -> float:
    """The lowest edge of what `box` draws: its lines and pictures."""
    if type(box).__name__ in ("LineBox", "InlineReplacedBox", "BlockReplacedBox"):
        return box.position_y + box.margin_height()
    return max((drawn_bottom(child) for child in getattr(box, "children", ())), default=float("-inf"))
