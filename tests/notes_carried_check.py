"""Lay out an issue's article parts, then again with a white of the opening set in an inline style,
which builds the boxes anew; print one JSON line per part: the notes laid out alone to measure
their heights in each layout, and the second layout's PDF hash through press.relayout and as a
fresh WeasyPrint render of the changed tree. Then the same white set as the page make-up's
opening trial sets it (press.makeup._set_white), laid out, and taken back: the PDF hashes of
both, the boxes built for them, and the hash of the fresh render with the inline style.

Run by tests/test_notes_counted.py in a process of its own (the typesetter points fontconfig at
the project's fonts). Usage: python tests/notes_carried_check.py ISSUE_DIR CACHE_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(issue_dir: str, cache_dir: str) -> None:
    from article_parts import article_parts
    from weasyprint import layout
    from weasyprint.formatting_structure import boxes

    from press import makeup
    from press.relayout import Layouts

    parts, typesetter = article_parts(issue_dir, cache_dir)
    measured = [0]
    block_level_layout = layout.block_level_layout

    def counted(context, box, *args, **kwargs):
        # press.footnotes._note_height: a footnote area holding one note, laid out from -inf
        if type(box) is boxes.FootnoteAreaBox and len(box.children) == 1 and args and args[0] == float("-inf"):
            measured[0] += 1
        return block_level_layout(context, box, *args, **kwargs)

    layout.block_level_layout = counted

    def parse(part):
        return typesetter._HTML(string=part.html, base_url=typesetter._url_for("issue"), url_fetcher=typesetter.fetcher)

    def digest(document, part) -> str:
        return hashlib.sha256(document.write_pdf(pdf_identifier=part.key.encode())).hexdigest()

    def head(root):
        return next(e for e in root.iter() if "article-head" in (e.get("class") or "").split())

    def whiter(root) -> None:
        head(root).set("style", (head(root).get("style") or "") + "margin-bottom: 31.000px;")

    def fresh_render(part) -> str:
        html = parse(part)
        whiter(html.etree_element)
        html.wrapper_element = typesetter._wrap(html.etree_element, content_language=None)
        return digest(html.render(stylesheets=typesetter.sheets["page"], font_config=typesetter.font_config), part)

    for part in parts:
        html = parse(part)
        layouts = Layouts(html, typesetter.sheets["page"], typesetter.font_config, typesetter._wrap)
        measured[0] = 0
        unchanged = digest(layouts.render(), part)
        first = measured[0]
        whiter(html.etree_element)
        measured[0] = 0
        relayout = digest(layouts.render(), part)
        again = measured[0]
        fresh = fresh_render(part)
        print(json.dumps({"part": part.key, "first": first, "again": again, "unchanged": unchanged,
                          "relayout": relayout, "fresh": fresh}), flush=True)

        html = parse(part)
        layouts = Layouts(html, typesetter.sheets["page"], typesetter.font_config, typesetter._wrap)
        unchanged = digest(layouts.render(), part)
        undo = makeup._set_white(head(html.etree_element), "margin-bottom", 31.0)
        whites = digest(layouts.render(), part)
        undo()
        back = digest(layouts.render(), part)
        print(json.dumps({"part": part.key, "whites": whites, "fresh": fresh, "unchanged": unchanged, "back": back,
                          "builds": len(layouts._built)}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
