"""Layouts made again cheaply: the page make-up's trials without the cascade, and no line set twice.

The page make-up (press/makeup.py, press/balancing.py) tries changes to an article part and
lays it out again after each: most set a paragraph a line looser or tighter (an attribute that
the paragraph composer reads, press/paragraphs.py, and no style rule), a few move a float in
the element tree, and the opening's trials set the whites under an article's title (an
attribute, press.makeup.WHITES, that set_whites puts in the computed styles before each layout).
`Layouts.render` lays the element tree out as it stands: after a change of looseness or whites
alone it lays out the box tree it built before again, in a new layout context, with the styles
computed before (WeasyPrint lays out one box tree several times itself, when page counters
change); after any other change (a float moved) it computes the styles and builds the boxes
again, as WeasyPrint's HTML.render does.

Most of a layout's time is spent setting lines (WeasyPrint's get_next_linebox: the text
shaped by Pango, split, justified), and most lines are set several times over. WeasyPrint
balances the columns of every page by laying them out at one trial height after another
(press/balancing.py), and each trial sets the same lines again, from other column tops; and a
trial of the make-up sets again every line of the part, most of them as they were, a line
lower or higher. Measured on 2020-09's parts, a layout asked for 4,270 lines of which 1,065
were different.

A line is a function of the line box it is cut from, where it starts in its paragraph (the
skip stack), the width of its block and the width the paragraph composer planned for it
(press/paragraphs.py); where it stands only moves it, as long as no float is beside it. So
each line set is kept, with the boxes it was set in (on WeasyPrint's LayoutContext, handed on
to the layouts of the same boxes), and a later request with the same key gets a copy of it,
moved to where it is asked for, its top put exactly where get_next_linebox puts a line (the
line grid, press/grid.py, rounds from there). Not kept: a line set beside floats or holding an
absolutely positioned box or a float (they change the context, and the lists passed in), and
a line with a ::first-letter or ::first-line style.

A float moved builds the boxes again (sibling selectors may restyle its neighbours), but the
lines of the boxes built before serve the new ones, looked up by what a line box is in any build
(its element, and its boxes' elements, tags and text, generated text included), for every
paragraph whose elements' cascaded declarations are those of the last build (not a neighbour
that a sibling selector restyled, nor anything inside one); not a line holding a note's call,
whose footnote box is one of the tree it was built in.

In serve's process the lines of a part's last typesetting serve its next, after an edit
(Carried): the new element tree is parsed from the edited HTML, so an element is known there by
its place in the tree, and a line is taken where its elements are in the same places with the
same tags, text, cascaded declarations and attributes. A carried line is made the new tree's
before it is used: its boxes' elements, and the paragraph it holds (press_paragraph, whose plans
the make-up reads by element), are the new tree's. (Without that, the make-up found no plans for
a paragraph whose first line was carried, and made the pages up otherwise than a fresh
typesetting: 2020-02's Chinese parts typeset twice came out with other line breaks.)

Copies, not the line itself: the block layout places, moves and cuts what it gets, and the
same line must come out the same the next time. The bytes of every PDF are those of a layout
without any of this (tests/test_relayout.py; and the sample issues' PDFs,
compared with cmp).
"""

from __future__ import annotations

from .makeup import WHITES, set_whites
from .paragraphs import LOOSENESS

_MISSING = object()


class Interrupted(Exception):
    """A layout given up for a newer edit (serve's warm-up between edits, press.typeset)."""


BUILDS = 2  # box trees kept, with their lines: the tree as it was, and as a float's move made it


class Layouts:
    """An HTML document's layouts, as its element tree stands at each call of render()."""

    def __init__(self, html, stylesheets, font_config, wrap, before: "Carried | None" = None, stop=None,
                 composing=None):
        from weasyprint import DEFAULT_OPTIONS

        self.html, self.font_config, self.wrap = html, font_config, wrap
        self.composing = composing  # the typesetter's paragraphs composed (press.session.Composing), for the composer
        self.stop = stop  # an Event: once set, the layout under way stops at its next line (Interrupted)
        self.options = {**DEFAULT_OPTIONS, "stylesheets": stylesheets}
        self.before = before  # the lines of this part's last typesetting (serve: the edit before)
        # The element tree's signature → (context, root box, footnotes) of the last few builds: a
        # float moved and taken back brings the tree back to one built before.
        self._built: dict = {}
        self._contexts: list = []  # of every layout made: let go of in forget()

    def render(self):
        """The document laid out: the boxes built before, laid out again, if no more than a
        paragraph's looseness changed since; else as HTML.render() lays it out."""
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.layout import LayoutContext

        from .footnotes import hand_on

        self._go_on()
        signature = _signature(self.html.etree_element)
        if signature in self._built:
            old, root_box, footnotes = self._built[signature] = self._built.pop(signature)  # the newest now
            context = LayoutContext(old.style_for, old.get_image_from_uri.func, old.font_config,
                                    old.counter_style, old.target_collector)
            context.footnotes = list(footnotes)
            context.press_lines = getattr(old, "press_lines", {})  # the same boxes: the lines set stay good
            context.press_lineboxes = getattr(old, "press_lineboxes", {})
            context.press_portable = old.__dict__.setdefault("press_portable", {})
            for linebox in context.press_lineboxes.values():
                _replan_if_changed(linebox)
            hand_on(old, context)
            set_whites(self.html.etree_element, context.style_for)
        else:
            html = self.html
            # The element tree as it stands now: the make-up moves blocks in it between passes.
            html.wrapper_element = self.wrap(html.etree_element, content_language=None)
            context = Document._build_layout_context(html, self.font_config, CounterStyle(), {}, self.options)
            self._go_on()  # the cascade and the boxes of a long article: 20-60 ms each, no line among them
            set_whites(html.etree_element, context.style_for)
            root_box = build_formatting_structure(
                html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
                context.target_collector, context.counter_style, context.footnotes)
            footnotes = list(context.footnotes)
            if self._built:
                # The lines of the boxes built last, for the paragraphs whose styles and text are
                # the same in these boxes (all but those about a moved float).
                last = next(reversed(self._built.values()))[0]
                context.press_lines_before = (getattr(last, "press_portable", {}),
                                              _restyled(last.style_for, context.style_for))
                hand_on(last, context)  # and what the notes' layout learnt there
            elif self.before is not None:
                context.press_carried = self.before.for_tree(html.etree_element, context.style_for)
            self._built[signature] = (context, root_box, footnotes)
            while len(self._built) > BUILDS:
                del self._built[next(iter(self._built))]  # the oldest
        self._contexts.append(context)
        context.press_stop = self.stop
        context.press_composing = self.composing  # read by press/paragraphs.py
        self._go_on()
        return _document(self.html, root_box, context, self.options)

    def _go_on(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Interrupted

    def carry(self) -> "Carried | None":
        """The lines of the element tree as it stands (the layout kept last), for the layouts of
        this part's next typesetting: an edit's, in another element tree (Carried)."""
        built = self._built.get(_signature(self.html.etree_element))
        if built is None:
            return None
        context = built[0]
        paths = _paths(self.html.etree_element)
        lines = {}
        for key, entry in getattr(context, "press_portable", {}).items():
            (element, boxes), rest = key[:2], key[2:]
            if element in paths and all(e in paths or e == _NO_ELEMENT for e, _, _ in boxes):
                lines[(paths[element], tuple((paths.get(e), tag, text) for e, tag, text in boxes)) + rest] = \
                    (entry, _homes(entry[0], paths))
        styles = {(paths[id(key[0])], key[1]): (getattr(style, "cascaded", None), _attributes(key[0]))
                  for key, style in context.style_for._computed_styles.items()
                  if _is_element(key[0]) and id(key[0]) in paths}
        return Carried(lines, styles)

    def forget(self) -> None:
        """Let go of the boxes built and the lines kept (the documents laid out keep what they hold).
        A layout context is in a cycle of its own (its get_image_from_uri, a partial, holds it), so
        what it holds (every line kept, every line box) would wait for the collector, which walked
        it all after each part in a worker (press.typeset.release_memory); emptied, it goes at once
        (2020-02's article parts: 140,000 objects left to the collector -> 42,000, 0.12 -> 0.03 CPU-s)."""
        for context in self._contexts:
            context.__dict__.clear()
        self._contexts.clear()
        self._built.clear()


class Carried:
    """The lines a part's typesetting set (their portable entries), for its next typesetting after
    an edit: a new element tree, parsed from the edited HTML. An element is known there by its
    place in the tree (the child indices down from the root), and a line set in the last tree
    serves a line box of the new one whose elements are in the same places, with the same tags,
    text and cascaded declarations and attributes (the lines of the edited paragraph, and of any
    paragraph after an element added or removed, are set anew)."""

    def __init__(self, lines: dict, styles: dict):
        # (path of the line box's element, its boxes' (path, tag, text)) + key → (entry, the path of
        # the element of each of its line's boxes, in the order of descendants())
        self.lines = lines
        self.styles = styles  # (path, pseudo-element) → (cascaded declarations, attributes)

    def for_tree(self, root, style_for) -> tuple[dict, dict, set, dict]:
        """(the lines, the new tree's element ids → paths, the ids of the elements styled otherwise
        than their namesakes of the last tree, with their descendants, the new tree's paths → elements)."""
        paths = _paths(root)
        restyled: set = set()
        for key, style in style_for._computed_styles.items():
            element = key[0]
            if not _is_element(element) or id(element) in restyled:
                continue
            old = self.styles.get((paths.get(id(element)), key[1]))
            if old is None or old != (getattr(style, "cascaded", None), _attributes(element)):
                restyled.update(id(e) for e in element.iter())
        return self.lines, paths, restyled, {path: element for element in root.iter()
                                              for path in (paths.get(id(element)),) if path is not None}


_NO_ELEMENT = id(None)  # an anonymous box's element


def _attributes(element) -> tuple:
    """An element's attributes but the looseness (a line's key holds what the composer planned)."""
    return tuple((k, v) for k, v in element.items() if k != LOOSENESS)


def _homes(line, paths) -> tuple:
    """The place in the tree (paths) of the element of each of a line's boxes (descendants())."""
    return () if line is None else tuple(paths.get(id(box.element)) for box in line.descendants())


def _rehomed(carried, linebox, elements) -> tuple:
    """A line of the last typesetting (Carried), made this one's: its boxes' elements those of
    this element tree in the same places, and its paragraph this line box's. The line's boxes
    still held the last tree's elements and its paragraph (press_paragraph, and the element the
    composer's plans are of): the make-up, which reads the plans of each paragraph on the pages
    (paragraphs.plans_of) and asks them of this tree's elements, found none for a paragraph
    whose first line was carried, and made up the pages otherwise than a fresh typesetting; and
    the PDF's structure tree is made of the boxes' elements (press/tagging.py)."""
    (line, resume_at, _, at), homes = carried
    if line is not None:
        line = _copy(line)
        for box, home in zip(line.descendants(), homes, strict=True):
            box.element = None if home is None else elements[home]
        paragraph = getattr(linebox, "press_paragraph", None)
        if paragraph is None:
            line.__dict__.pop("press_paragraph", None)
        else:
            line.press_paragraph = paragraph
    return line, resume_at, linebox, at


def _paths(root) -> dict:
    """Each element's id → its place in the tree: the indices of the children down from the root."""
    paths = {id(root): ()}
    stack = [(root, ())]
    while stack:
        element, path = stack.pop()
        for i, child in enumerate(element):
            paths[id(child)] = path + (i,)
            stack.append((child, path + (i,)))
    return paths


def _restyled(before, now) -> set:
    """The ids of the elements whose styles may differ between two cascades of the same elements:
    those whose cascaded declarations (kept by each computed style: WeasyPrint clears its own
    table of them once the styles are computed) differ, as a sibling selector's after a move, or
    that have a pseudo-element in one and not the other; and their descendants, which inherit."""
    found = set()
    for key in before._computed_styles.keys() | now._computed_styles.keys():
        element = key[0]
        if not _is_element(element) or id(element) in found:
            continue
        old, new = before._computed_styles.get(key), now._computed_styles.get(key)
        if old is None or new is None or getattr(old, "cascaded", None) != getattr(new, "cascaded", None):
            found.update(id(e) for e in element.iter())
    return found


def _is_element(key) -> bool:
    """Whether a key of the cascade is an element (not a page type)."""
    return hasattr(key, "iter") and hasattr(key, "tag")


def _replan_if_changed(linebox) -> None:
    """A paragraph whose looseness changed is planned anew (its plans are of the looseness it
    had); the others keep their plans, which are the composer's for the same text and widths."""
    paragraph = getattr(linebox, "press_paragraph", None)
    element = getattr(linebox, "element", None)
    if paragraph is None or element is None:
        return
    if getattr(paragraph, "looseness", 0) != int(element.get(LOOSENESS, 0)):
        del linebox.press_paragraph


def _document(html, root_box, context, options):
    """Document._render's last steps (press/patches.py checks that they are its own)."""
    from weasyprint.document import Document, DocumentMetadata, Page, get_html_metadata, layout_document

    page_boxes = layout_document(html, root_box, context)
    rendering = Document(
        [Page(page_box) for page_box in page_boxes],
        DocumentMetadata(**get_html_metadata(html)),
        html.url_fetcher, context.font_config, {}, options["output_intent"])
    rendering._html = html
    return rendering


def _signature(root) -> tuple:
    """The element tree as the styles and boxes are made from it: every element in order,
    its attributes but the looseness and the whites, its text."""
    return tuple((id(e), e.tag, tuple((k, v) for k, v in e.attrib.items() if k not in _SET_IN_LAYOUT), e.text, e.tail)
                 for e in root.iter())


_SET_IN_LAYOUT = (LOOSENESS, WHITES)  # read by the composer, and set in the styles (makeup.set_whites)


def install() -> None:
    """Wrap get_next_linebox (after press.paragraphs has wrapped it: the planned width is part of the key)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    from . import paragraphs

    if getattr(inline, "_press_lines_kept", False):
        return
    inline._press_lines_kept = True
    get_next_linebox = inline.get_next_linebox

    def kept_linebox(context, linebox, position_y, bottom_space, skip_stack, containing_block,
                     absolute_boxes, fixed_boxes, first_letter_style, first_line_style):
        stop = getattr(context, "press_stop", None)
        if stop is not None and stop.is_set():
            raise Interrupted
        # Every line box the composer may plan a paragraph of: a layout made again plans anew.
        context.__dict__.setdefault("press_lineboxes", {})[id(linebox)] = linebox
        if context.excluded_shapes or first_letter_style is not None or first_line_style is not None:
            return get_next_linebox(context, linebox, position_y, bottom_space, skip_stack, containing_block,
                                    absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
        # What the composer plans for the line (made now if it was not: get_next_linebox would).
        at = paragraphs.frozen(skip_stack)
        width, how, planned = paragraphs._planned_width(context, linebox, skip_stack, containing_block, inline, boxes, at)
        # Not the space below (bottom_space): only floats and positioned boxes in a line read it,
        # and a line holding one is not kept.
        key = (id(linebox), at, containing_block.width, linebox.text_indent, width, how,
               planned[1:] if planned else None)
        lines = context.__dict__.setdefault("press_lines", {})
        found = lines.get(key, _MISSING)
        if found is not _MISSING:
            # The line box it was cut from is kept alive with it: its id stays its own.
            return _placed(found, containing_block, position_y)
        portable = _portable_key(context, linebox, key)
        if portable is not None:
            found = context.press_lines_before[0].get(portable)
            if found is not None:
                lines[key] = found
                context.__dict__.setdefault("press_portable", {})[portable] = found  # this build's too
                return _placed(found, containing_block, position_y)
        carried = _carried_key(context, linebox, key)
        if carried is not None:
            found = context.press_carried[0].get(carried)
            if found is not None:
                lines[key] = found = _rehomed(found, linebox, context.press_carried[3])
                # Kept again: the next edit's typesetting may use it too.
                context.__dict__.setdefault("press_portable", {})[_stable(context, linebox) + key[1:]] = found
                return _placed(found, containing_block, position_y)
        absolutes, fixed = len(absolute_boxes), len(fixed_boxes)
        line, resume_at = get_next_linebox(context, linebox, position_y, bottom_space, skip_stack, containing_block,
                                           absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
        if not context.excluded_shapes and len(absolute_boxes) == absolutes and len(fixed_boxes) == fixed \
                and (line is None or _in_flow(line)):
            lines[key] = entry = (None if line is None else _copy(line), resume_at, linebox,
                                  (containing_block.content_box_x(), position_y))
            if line is not None and not any(getattr(box, "footnote", None) is not None for box in line.descendants()):
                # A line without a note's call holds nothing of its boxes' own: boxes built
                # again for the same text and styles may use it. (A call's footnote is a box of
                # the tree it was built in, which the layout looks for in its own.)
                context.__dict__.setdefault("press_portable", {})[_stable(context, linebox) + key[1:]] = entry
        return line, resume_at

    kept_linebox.__wrapped__ = get_next_linebox  # tests/relayout_check.py lays out without it
    inline.get_next_linebox = kept_linebox


def _placed(found, containing_block, position_y):
    """A copy of a kept line where it is asked for: moved, its top put exactly where
    get_next_linebox puts a line."""
    line, resume_at, _, (x, y) = found
    if line is None:
        return None, resume_at
    line = _copy(line)
    line.translate(containing_block.content_box_x() - x, position_y - y)
    line.position_y = position_y
    return line, resume_at


def _stable(context, linebox) -> tuple:
    """What a line box is in any build of the same element tree: its element, and the elements,
    tags and text of its boxes (generated text, a counter's, included)."""
    known = context.__dict__.setdefault("press_stable", {})
    found = known.get(id(linebox))
    if found is None:
        found = known[id(linebox)] = (id(linebox.element), tuple(
            (id(getattr(box, "element", None)), box.element_tag, getattr(box, "text", None))
            for box in linebox.descendants()))
    return found


def _portable_key(context, linebox, key):
    """The key of a line of the boxes built before that this line box may use, or None."""
    before = getattr(context, "press_lines_before", None)
    if before is None or not before[0]:
        return None
    stable = _stable(context, linebox)
    restyled = before[1]
    if any(element in restyled for element, _, _ in stable[1]) or stable[0] in restyled:
        return None
    return stable + key[1:]


def _carried_key(context, linebox, key):
    """The key of a line of the part's last typesetting (Carried) that this line box may use, or None."""
    carried = getattr(context, "press_carried", None)
    if carried is None or not carried[0]:
        return None
    _, paths, restyled, _ = carried
    element, boxes = _stable(context, linebox)
    if element in restyled or element not in paths \
            or any(e in restyled or (e not in paths and e != _NO_ELEMENT) for e, _, _ in boxes):
        return None
    return (paths[element], tuple((paths.get(e), tag, text) for e, tag, text in boxes)) + key[1:]


def _in_flow(box) -> bool:
    """Whether nothing in the box is floated or positioned out of the flow."""
    return all(child.is_in_normal_flow() and _in_flow(child) for child in getattr(box, "children", ()))


def _copy(box):
    """The box and its descendants copied, none of their lists or sets shared with the original's."""
    new = box.copy()
    sides = getattr(box, "remove_decoration_sides", None)
    if sides is not None:
        new.remove_decoration_sides = set(sides)
    children = getattr(box, "children", None)
    if children is not None:
        new.children = [_copy(child) for child in children]
    return new
