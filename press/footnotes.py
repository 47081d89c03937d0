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

Where the notes of a page's columns fill most of it (a paragraph of hundreds of links), the
columns' height WeasyPrint finds can leave notes a page after their calls, or no column on an
article's opening page: notes_under_columns lays such columns out again at the tallest height
whose notes fit under it.

press/patches.py installs this patch once it has checked that the functions it replaces or relies
on are the ones it was written for; tests/test_notes_counted.py times a paragraph of 1,000 links
and checks that every note is on its call's page and the opening page has body text.
"""

from __future__ import annotations

from math import ceil, inf

from .floats import drawn_bottom, is_wide


def install() -> None:
    """Patch WeasyPrint's layout context (already imported)."""
    from weasyprint import layout

    if getattr(layout.LayoutContext, "_press_footnotes", False):
        return
    layout.LayoutContext._press_footnotes = True
    original = layout.LayoutContext._update_footnote_area

    def stack(context, area, notes) -> _Stack:
        """The page's notes stacked, each note's height laid out once (note_height)."""
        kept = context.__dict__.get("_press_note_stack")
        if kept is None or kept.width != area.width:
            kept = context.__dict__["_press_note_stack"] = _Stack(area.width)
        kept.update(notes, lambda note: _note_height(context, area, note))
        return kept

    def update_footnote_area(self):
        area, notes = self.current_footnote_area, self.current_page_footnotes
        room = self.__dict__.get("_press_note_room")
        if room is not None:  # the columns' height fixed: the notes fill the room under them (notes_under_columns)
            height = _notes_height(self, original)
            area.children, area.height = [], 0
            return _overflowed(self, height > min(room, area.max_height))
        if not notes or area.min_height not in (0, "auto"):
            return _overflowed(self, original(self))
        stacked = stack(self, area, notes)
        area.children = notes
        if None in stacked.heights:
            return _overflowed(self, original(self))
        if area.height != "auto" and not self.in_column:
            self.page_bottom += area.margin_height()
        top = area.content_box_y()
        bottom = stacked.bottom(top)
        # As block_container_layout sets an auto height: the notes' height, at most max-height.
        area.height = min(bottom - top, area.max_height)
        if not self.in_column:
            self.page_bottom -= area.margin_height()
        return _overflowed(self, bottom - top > area.height)  # the last note sticks out: WeasyPrint moves it on

    def _notes_height(context, original) -> float:
        """The height of all the page's notes, stacked."""
        area = context.current_footnote_area
        heights = stack(context, area, context.current_page_footnotes).heights
        if None not in heights:
            return sum(heights)
        area.children = context.current_page_footnotes
        area.height = "auto"
        original(context)
        return area.height

    layout.LayoutContext._update_footnote_area = update_footnote_area
    _keep_carried_notes(layout.LayoutContext)
    _share_note_lines()
    _wait_in_a_list_of_ids(layout.LayoutContext)
    layout.block.columns_layout = notes_under_columns(layout.block.columns_layout)


def _note_height(context, area, note) -> float | None:
    """The margin height of `note` laid out alone in the area (None: it has a margin)."""
    shared = _shared(note)
    if area.width not in shared.heights:
        key = _carried_key(context, note, area.width)
        height = context.__dict__.get("_press_heights_before", {}).get(key, _MISSING)
        if height is _MISSING:
            from weasyprint.formatting_structure import build
            from weasyprint.layout import block_level_layout

            area.children = [note]
            probe = build.create_anonymous_boxes(area.deepcopy())
            laid = block_level_layout(context, probe, -inf, None, area.page)[0]
            child = laid.children[0] if laid is not None and len(laid.children) == 1 else None
            height = child.margin_height() if child is not None and not (child.margin_top or child.margin_bottom) \
                else None
        shared.heights[area.width] = height
        if key is not None:
            context.__dict__.setdefault("_press_heights", {})[key] = height
    return shared.heights[area.width]


_MISSING = object()


def hand_on(before, context) -> None:
    """What the notes' layout learnt in the layout context of the part's boxes built before, for
    that of the boxes built again (press/relayout.py): each note's height by what the note is
    (_carried_key), and the lines the columns last took under notes, the first guess of the
    columns' height search (_next_lines), which ends on the same height from any guess. The
    make-up's opening trial builds the boxes again: it measured each of 1,000 English link notes
    again, and searched the opening page's height from the page's whole height (6 layouts; 2 from
    the guess)."""
    context.__dict__["_press_heights_before"] = before.__dict__.get("_press_heights", {})
    lines = before.__dict__.get("_press_note_lines")
    if lines:
        context.__dict__["_press_note_lines"] = dict(lines)


def _carried_key(context, note, width: float) -> tuple | None:
    """What a note's height is known by from one build of the part's boxes to the next
    (press/relayout.py hands on the heights of the build before): the width, and the elements,
    tags and text of the note's boxes, generated text (its marker's number) included; None where
    one of its elements is styled otherwise than in the build before (restyled, the relayout's
    own test for a line kept)."""
    before = context.__dict__.get("press_lines_before")
    restyled = before[1] if before is not None else ()
    boxes = tuple((id(box.element), box.element_tag, getattr(box, "pseudo_type", None), getattr(box, "text", None))
                  for box in note.descendants())
    if any(element in restyled for element, _, _, _ in boxes):
        return None
    return (width, boxes)


class _Shared:
    """What every copy of one note box shares (Box.copy copies the attributes, so copies made after it
    is set hold the same object): its height by width, and the line box its text is set in.

    WeasyPrint copies the footnote area with its notes and wraps a copy's text in a new line box
    each time it lays the area out (create_anonymous_boxes): on each page made, each page made
    again, and for each note's height (_note_height). press/relayout.py keeps each line set by its
    line box, so none of a note's lines was ever set from the lines kept: a Chinese link note took
    2.5-4 ms each time, and its final layout on the page half as much again as its first. Given the
    same line box each time, its lines are set once. Heights kept on the box, not on the layout
    context, serve every layout of the same boxes (the make-up's trials lay the part out again)."""

    __slots__ = ("heights", "line")

    def __init__(self) -> None:
        self.heights: dict[float, float | None] = {}
        self.line = None


def _shared(note) -> _Shared:
    shared = note.__dict__.get("press_note")
    if shared is None:
        shared = note.__dict__["press_note"] = _Shared()
    return shared


def _share_note_lines() -> None:
    """A note's copy in a footnote area set in the line box of its first copy (_Shared)."""
    from weasyprint.formatting_structure import boxes, build

    if getattr(build, "_press_note_lines", False):
        return
    build._press_note_lines = True
    create_anonymous_boxes = build.create_anonymous_boxes

    def create(box):
        box = create_anonymous_boxes(box)
        if type(box) is boxes.FootnoteAreaBox:
            for note in box.children:
                shared = note.__dict__.get("press_note")
                if shared is None or len(note.children) != 1 or type(note.children[0]) is not boxes.LineBox:
                    continue
                if shared.line is None:
                    shared.line = note.children[0]
                else:
                    note.children = [shared.line]
        return box

    build.create_anonymous_boxes = create


class _Waiting(list):
    """The notes waiting to be placed (LayoutContext.footnotes), with the ids of what they hold, so
    that asking whether a box is among them takes no time. Each line laid out asks so of each of
    its boxes' footnotes (_linebox_layout: None but for a call), and each note taken back asks it
    (unlayout_footnote): a list of the 1,000 notes of a paragraph of links was compared item by
    item each time, 4-5 % of such a build. A box has no __eq__: being in the list is being one of
    its items, as `in` finds it. Every change of the list is one of the methods below."""

    __slots__ = ("_ids",)

    def __init__(self, notes=()) -> None:
        super().__init__(notes)
        self._recount()

    def _recount(self) -> None:
        self._ids: dict[int, int] = {}
        for note in self:
            self._ids[id(note)] = self._ids.get(id(note), 0) + 1

    def _add(self, note) -> None:
        self._ids[id(note)] = self._ids.get(id(note), 0) + 1

    def _drop(self, note) -> None:
        count = self._ids.pop(id(note))
        if count > 1:
            self._ids[id(note)] = count - 1

    def __contains__(self, item) -> bool:
        return id(item) in self._ids

    def append(self, note) -> None:
        super().append(note)
        self._add(note)

    def insert(self, index, note) -> None:
        super().insert(index, note)
        self._add(note)

    def extend(self, notes) -> None:
        notes = list(notes)
        super().extend(notes)
        for note in notes:
            self._add(note)

    def remove(self, note) -> None:
        super().remove(note)
        self._drop(note)

    def pop(self, index=-1):
        note = super().pop(index)
        self._drop(note)
        return note

    def clear(self) -> None:
        super().clear()
        self._ids.clear()

    def __setitem__(self, index, value) -> None:
        super().__setitem__(index, value)
        self._recount()

    def __delitem__(self, index) -> None:
        super().__delitem__(index)
        self._recount()

    def __iadd__(self, notes):
        self.extend(notes)
        return self

    def __imul__(self, count):
        super().__imul__(count)
        self._recount()
        return self


def _wait_in_a_list_of_ids(context_class) -> None:
    def get(self):
        return self.__dict__["_press_waiting"]

    def set(self, notes):
        self.__dict__["_press_waiting"] = notes if type(notes) is _Waiting else _Waiting(notes)

    context_class.footnotes = property(get, set)


class _Stack:
    """The notes of the page as last stacked, their heights, and the running sums of those heights
    from each top they were stacked from. WeasyPrint updates the area for each note added, moved
    on or taken back (33,627 times for the 34 pages of 1,000 Chinese links), nearly always at the
    end of the page's list: summing every note again each time was 17 % of such a build. Here a
    change costs the notes after the first one changed; the sums are added up in the same order
    from the same top as a whole sum would be, so the area's height is the same to the last bit."""

    def __init__(self, width: float) -> None:
        self.width = width
        self.notes: list = []
        self.heights: list[float | None] = []
        self.bottoms: dict[float, list[float]] = {}  # top → [top, top + h0, top + h0 + h1, …]

    def update(self, notes: list, height_of) -> None:
        """The heights made those of `notes`, each new one found by `height_of`."""
        kept, count = self.notes, len(self.notes)
        if len(notes) >= count and notes[:count] == kept:  # lists compare by identity first: boxes have no __eq__
            same = count
        elif len(notes) < count and kept[:len(notes)] == notes:
            same = len(notes)
        else:
            same = next((i for i, (note, old) in enumerate(zip(notes, kept)) if note is not old), min(len(notes), count))
        if same < count:
            del self.heights[same:]
            for sums in self.bottoms.values():
                del sums[same + 1:]
        self.heights.extend(height_of(note) for note in notes[same:])
        self.notes = list(notes)

    def bottom(self, top: float) -> float:
        """Where the notes end, stacked from `top` (no height is None)."""
        sums = self.bottoms.get(top)
        if sums is None:
            if len(self.bottoms) > 16:  # the tops of a page are a few: the area's rounding onto the grid
                self.bottoms.clear()
            sums = self.bottoms[top] = [top]
        for height in self.heights[len(sums) - 1:]:
            sums.append(sums[-1] + height)
        return sums[-1]


def _overflowed(context, overflow: bool) -> bool:
    """Count the times the notes overflowed: a columns layout that failed without any is left alone."""
    if overflow:
        context.__dict__["_press_note_overflows"] = context.__dict__.get("_press_note_overflows", 0) + 1
    return overflow


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


def notes_under_columns(columns_layout):
    """`columns_layout` wrapped: every note on its call's page, and the columns kept, where the
    notes of a page's columns fill most of it.

    WeasyPrint's columns_layout (press.balancing's, in the same steps) finds the columns' height
    on a page with notes by a guess repeated: it lays the columns out, takes the notes' height
    off the height, and stops as soon as a notes' height comes back that it has seen before.
    Where the notes of a column fill most of a page, the heights it tries swing between too
    tall and too short (40 Chinese links: 845, 181, 227 px), and it stops at one whose notes
    do not fit under it. Then (1) the notes that stick out are moved to the next page
    (_report_footnotes), away from their calls: 55 of 1,000 Chinese link notes; and (2) a
    column after the first whose first line cannot bring its notes along places nothing,
    and WeasyPrint then drops every column of the page (`columns = []`): the text went on to
    the next page, and an article's opening page held its title and no body, twice over.

    So when a columns layout moved a note on while its call stayed, or placed nothing after
    its notes overflowed, it is taken back and laid out again at a fixed height: the room
    under that height is the notes' own (a line whose notes do not fit there goes on to the
    next page with them, footnote-policy: line), and the tallest height in whole lines of the
    column's grid at which nothing is moved on wins, searched from the lines the page before
    took (_next_lines). A layout that needed no mending (every page of the sample issues) is
    WeasyPrint's own, untouched. One of 2020-02 with its paragraphs at line-height 1.9 needed
    it: knowledge-sharing.zh's first page moved two notes on (tests/column_search.py). Where
    the columns needed mending on the page before and the notes still to come in them are more
    than a note area holds, WeasyPrint's own layout is not tried first: on such pages it never
    kept its notes."""
    from weasyprint.layout.block import collapse_margin, remove_placeholders

    from .grid import line_pitch

    def layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
               absolute_boxes, fixed_boxes, adjoining_margins, *rest):
        area = context.current_footnote_area
        reported = list(context.reported_footnotes)
        base = getattr(area, "press_margin", None)
        state = (context.page_bottom, area.height, area.margin_top, base)

        def attempt(room=None, height=None, top=None):
            """A layout of the columns, and whether it kept every note with its call and the
            columns on the page; at a fixed `height`, with `room` for the notes under it."""
            context.__dict__["_press_note_overflows"] = 0
            space = bottom_space
            if room is not None:
                # The area counts as empty to the columns: the notes' room is taken off the height instead.
                area.children, area.height, area.margin_top = [], 0, state[3] if state[3] is not None else state[2]
                area.__dict__["press_margin"] = None
                context.__dict__["_press_note_room"] = room
                space = context.page_bottom - top - height
            try:
                result = columns_layout(context, box, space, skip_stack, containing_block, page_is_empty,
                                        absolute_boxes, fixed_boxes, list(adjoining_margins), *rest)
            finally:
                context.__dict__["_press_note_room"] = None
            moved_on = any(not any(note is kept for kept in reported) for note in context.reported_footnotes)
            failed = result[0] is None and not page_is_empty and context.__dict__["_press_note_overflows"]
            return result, not moved_on and not failed

        def restore() -> None:
            context.page_bottom = state[0]
            area.height, area.margin_top, area.__dict__["press_margin"] = state[1:]

        def take_back(result) -> None:
            if result[0] is not None:
                remove_placeholders(context, [result[0]], absolute_boxes, fixed_boxes)
            restore()

        def mend(guess: int):
            """The columns at the tallest height in whole lines whose notes fit under it, made even;
            None where no height brings its notes along."""
            # The columns' top, as columns_layout sets it; the page's foot under the notes carried over.
            top = box.position_y + collapse_margin(adjoining_margins) + sum(
                edge for edge in (box.margin_top, box.padding_top, box.border_top_width) if edge != "auto")
            foot = context.page_bottom + (area.margin_height() if area.height != "auto" else 0)

            def fixed(lines: int):
                height = lines * pitch + 0.01  # a hair more: a column's last line ends on the grid line
                return attempt(foot - top - height - bottom_space, height, top)

            low, high, kept = 0, int((context.page_bottom - top - bottom_space) / pitch) + 1, None
            while high - low > 1:
                lines = _next_lines(low, high, guess)
                trial, good = fixed(lines)
                low, high = (lines, high) if good else (low, lines)
                if good and high - low <= 1:
                    kept = trial  # the last trial, and the tallest that kept its notes: kept as laid out
                else:
                    take_back(trial)
            if kept is None and low:
                kept, _ = fixed(low)
            if kept is None:
                return None
            context.__dict__.setdefault("_press_note_lines", {})[pitch] = low
            # The tallest such height can leave the last column short: a line whose notes would not fit
            # under it waits for the next page with the rest. The same text in columns as even as the
            # grid allows: the least height that still takes it all, from the lines it took.
            filled = _filled(kept[0])
            even = ceil(sum(filled) / len(filled) / pitch - 0.01) if filled else low
            if kept[1] is not None and even < low and filled[-1] < low * pitch - pitch:
                take_back(kept)
                for lines in range(even, low + 1):
                    trial, good = fixed(lines)
                    if lines == low or (good and trial[1] == kept[1]):
                        kept = trial
                        break
                    take_back(trial)
            restore()
            context._update_footnote_area()  # the area of the notes placed, and the page's bottom over it
            return kept

        pitch = line_pitch(box)
        # The lines the page before took, tried first: the pages of a long paragraph of links take the same.
        guess = context.__dict__.get("_press_note_lines", {}).get(pitch, 0)
        kept = None
        if pitch is not None and context.__dict__.get("_press_mended") == (context.current_page - 1, box) \
                and _more_notes_to_come(context, box, area):
            # These columns needed mending on the page before, and the notes still to come in them
            # are more than a page's note area holds: WeasyPrint's own layout, a quarter of the
            # page's layouts, was thrown away on every such page of the 20- to 1,000-link
            # paragraphs. Near the end of such text (40 Chinese links: the last page) its own layout
            # can be good, and it is tried first as on any other page; so too where the text would
            # end on this page at the height found.
            kept = mend(guess)
            if kept is not None and kept[1] is None:
                take_back(kept)
                kept = None
        if kept is None:
            result, good = attempt()
            if good or pitch is None or _set_again(context, result):
                return result
            take_back(result)
            kept = mend(guess)
        if kept is None:  # no height brings its notes along: WeasyPrint's own layout
            result, _ = attempt()
            return result
        context.__dict__["_press_mended"] = (context.current_page, box)
        return kept

    layout.__wrapped__ = columns_layout  # tests/column_search.py compares two searches, each wrapped so
    return layout


def _next_lines(low: int, high: int, guess: int) -> int:
    """The number of lines to try next, between `low` (its notes fit under it) and `high` (they do
    not): the guess (the lines of the page before) and one more first, then steps doubling away
    from them while the bracket is open on that side, then halves. The pages of a long paragraph
    of links mostly take the guess (2 layouts, as before); where one takes more or fewer lines it
    is found in 2 or 3 layouts, where halving from the page's whole height took 5 or 6 (300
    Chinese links: 10 fitted after 9, then 26, 18, 14, 12 and 11 were tried). Fitting grows no
    worse as the height shrinks, so the search ends on the same number as the halving did."""
    if guess:
        for lines in (guess + 1, guess):
            if low < lines < high:
                return lines
        if low > guess and guess + 2 * (low - guess) < high:  # the guess and more fit: up
            return guess + 2 * (low - guess)
        if high <= guess and guess + 1 - 2 * (guess + 1 - high) > low:  # the guess does not fit: down
            return guess + 1 - 2 * (guess + 1 - high)
    return (low + high) // 2


def _more_notes_to_come(context, box, area) -> bool:
    """Whether the notes called in `box` and not yet placed are more than the page's note area holds."""
    called = context.__dict__.setdefault("_press_called_in", {})
    if called.get(id(box), (None,))[0] is not box:
        element = getattr(box, "element", None)
        called[id(box)] = (box, {id(child) for child in element.iter()} if element is not None else set())
    within, height, children = called[id(box)][1], 0.0, area.children
    try:
        for note in context.footnotes:  # the notes not yet placed, in the order of their calls
            if id(getattr(note, "element", None)) in within and not is_wide(note):
                note_height = _note_height(context, area, note)
                if note_height is None:
                    return False
                height += note_height
                if height > area.max_height:
                    return True
        return False
    finally:
        area.children = children  # as the page had them: _note_height lays a note out in the area


def _set_again(context, result) -> bool:
    """Whether press.floats sets this page again: the columns end the part here, and a wide figure
    was deferred past it, which then opens this page (floats.make_page_with_tops), the text and
    its notes laid out anew under it. Mended before that (2020-09's grain chart with 28 English
    sentences added), the page kept a note the first layout had moved on, and the chart went to
    the top of a page of its own, after its anchor's."""
    tops = context.__dict__.get("_press_tops")
    return result[1] is None and tops is not None and bool(tops.pages.get(context.current_page + 1))


def _filled(columns) -> list[float]:
    """How far down each column of a columns box its lines and pictures go."""
    return [max(drawn_bottom(column), column.content_box_y()) - column.content_box_y()
            for column in columns.children if getattr(column, "is_column", False)]
