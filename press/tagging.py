"""What WeasyPrint 70's PDF tags leave out, added as each part is tagged.

WeasyPrint builds the structure tree from the HTML (headings, paragraphs,
figures with their alt text, lists, tables). Added here:

- the language of any element that names one (an English caption or
  masthead line inside a Chinese part) as /Lang on its structure element;
- footnotes as /Note, the number that calls one as /Reference, and the
  number that starts one as its label (/Lbl), so a reader can tell which
  call a note answers;
- alternative text as a reader would speak it: without the spacing
  characters that clreq preparation puts into the printed text.

The part-level language and the merging of the parts' trees are done in
press/finish.py. press/patches.py installs this patch, once it has checked that
_build_box_tree is the one it was written for; tests/test_tagged.py checks the
tree of the built PDFs.
"""

from __future__ import annotations

import re

from .rules import QUARTER_EM, THIRD_EM, WORD_JOINER

# What text preparation (press/clreq.py) adds for print alone.
_PRINT_SPACES = re.compile(f"[{THIRD_EM}{QUARTER_EM}{WORD_JOINER}]")


def install() -> None:
    """Patch WeasyPrint's tagging (already imported)."""
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    if getattr(tags, "_press_tagging", False):
        return
    tags._press_tagging = True
    build = tags._build_box_tree

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, marks):
        own = box.element is not None and box.element_tag not in ("html", "body") \
            and not isinstance(box, (boxes.PageBox, boxes.MarginBox))
        for element in build(box, parent, pdf, page_number, nums, annotations, marks):
            if own:
                _refine(element, box, pydyf)
            yield element

    tags._build_box_tree = build_box_tree


def _refine(element, box, pydyf) -> None:
    attributes = box.element.attrib
    if box.element_tag.endswith("::footnote-call"):
        element["S"] = "/Reference"
    elif box.element_tag.endswith("::footnote-marker"):
        element["S"] = "/Lbl"
    elif "footnote" in attributes.get("class", "").split() and "::" not in box.element_tag:
        element["S"] = "/Note"
    if attributes.get("lang") and "::" not in box.element_tag:
        element["Lang"] = pydyf.String(attributes["lang"])
    if "Alt" in element:
        element["Alt"] = pydyf.String(_PRINT_SPACES.sub(" ", attributes.get("alt", "")).replace("  ", " "))
