"""Lay out an issue's article parts, then again with the opening's whites set in an inline style
as the page make-up's opening trial sets them (press.makeup._move_columns), which builds the
boxes anew; print one JSON line per part: the notes laid out alone to measure their heights in
each layout, and the second layout's PDF hash through press.relayout and as a fresh WeasyPrint
render of the changed tree.

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

    def whiter(root) -> None:
        head = next(e for e in root.iter() if "article-head" in (e.get("class") or "").split())
        head.set("style", (head.get("style") or "") + "margin-bottom: 31.000px;")

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
        fresh_html = parse(part)
        whiter(fresh_html.etree_element)
        fresh_html.wrapper_element = typesetter._wrap(fresh_html.etree_element, content_language=None)
        fresh = digest(fresh_html.render(stylesheets=typesetter.sheets["page"], font_config=typesetter.font_config), part)
        print(json.dumps({"part": part.key, "first": first, "again": again, "unchanged": unchanged,
                          "relayout": relayout, "fresh": fresh}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
