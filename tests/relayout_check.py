"""Lay out the issue's article parts after the page make-up's kinds of change, once through
press.relayout (the boxes built before laid out again, the lines set before reused) and once
as a fresh WeasyPrint render of the changed tree with no line reused; print one JSON line per
change: the two PDFs' hashes, and the unchanged part's.

Run by tests/test_relayout.py in a process of its own (the typesetter points fontconfig at the
project's fonts, which the rest of the test session should not inherit).
Usage: python tests/relayout_check.py ISSUE_DIR CACHE_DIR [LOOSENED MOVED]
LOOSENED, MOVED: the parts (article/slug.lang, comma-separated) whose paragraphs are set a line
looser or tighter, and whose first float is moved; without them, every article part for both.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A rule for the paragraph after a float: moving the float restyles the paragraph it leaves and
# the one it comes before, whose lines of the boxes built before must not be used again. Its
# colour only: the composer plans their lines as before, so only the cascade tells them apart.
NEIGHBOUR = ".body figure + p, .body table + p { color: #a00 }"


def main(issue_dir: str, cache_dir: str, loosened: str | None = None, moved: str | None = None) -> None:
    from dataclasses import replace

    from article_parts import article_parts

    parts, typesetter = article_parts(issue_dir, cache_dir)
    chosen = None if loosened is None else {"loosened": loosened.split(","), "moved": (moved or "").split(",")}

    def chosen_for(what: str, part) -> bool:
        return chosen is None or part.key in chosen[what]

    if chosen is not None:
        assert set(chosen["loosened"] + chosen["moved"]) - {""} <= {part.key for part in parts}, chosen
        parts = [part for part in parts if chosen_for("loosened", part) or chosen_for("moved", part)]
    from weasyprint.layout import inline

    from press import makeup, paragraphs
    from press.relayout import Layouts

    kept_lines = inline.get_next_linebox
    assert hasattr(kept_lines, "__wrapped__"), "press.relayout is not installed"

    def parse(part):
        return typesetter._HTML(string=part.html, base_url=typesetter._url_for("issue"), url_fetcher=typesetter.fetcher)

    def digest(document, part) -> str:
        return hashlib.sha256(document.write_pdf(pdf_identifier=part.key.encode())).hexdigest()

    def fresh(part, change) -> str:
        """The part with `change` made, laid out by WeasyPrint alone: no box or line of another layout."""
        html = parse(part)
        change(html.etree_element)
        html.wrapper_element = typesetter._wrap(html.etree_element, content_language=None)
        inline.get_next_linebox = kept_lines.__wrapped__
        try:
            return digest(html.render(stylesheets=typesetter.sheets["page"], font_config=typesetter.font_config), part)
        finally:
            inline.get_next_linebox = kept_lines

    def float_moved(part, css: str) -> None:
        """A float moved after the text that follows it, as the make-up moves one; then taken back."""
        html = parse(part)
        layouts = Layouts(html, typesetter.sheets["page"], typesetter.font_config, typesetter._wrap)
        unchanged = digest(layouts.render(), part)
        elements = list(html.etree_element.iter())
        i = next(k for k, e in enumerate(elements) if makeup.is_float(e))

        def move(root):
            assert makeup._move_after_text(list(root.iter())[i], makeup._parents(root), 0.0, {})
        parent = makeup._parents(html.etree_element)[id(elements[i])]
        order = list(parent)
        move(html.etree_element)
        moved = digest(layouts.render(), part)
        print(json.dumps({"part": part.key, "change": f"float {i} moved", "css": css, "unchanged": unchanged,
                          "relayout": moved, "fresh": fresh(part, move)}), flush=True)
        parent[:] = order
        print(json.dumps({"part": part.key, "change": f"float {i} moved back", "css": css, "unchanged": unchanged,
                          "relayout": digest(layouts.render(), part), "fresh": fresh(part, lambda root: None),
                          "moved": moved}), flush=True)

    moves = []  # the parts with a float
    for part in parts:
        html = parse(part)
        layouts = Layouts(html, typesetter.sheets["page"], typesetter.font_config, typesetter._wrap)
        first = layouts.render()
        unchanged = digest(first, part)
        plans = paragraphs.plans_of(first)
        elements = list(html.etree_element.iter())

        def nth(root, i):
            return list(root.iter())[i]

        # A line more or fewer for a paragraph that has one to give, as the make-up asks.
        for change in (+1, -1) if chosen_for("loosened", part) else ():
            able = [i for i, e in enumerate(elements) if e.tag == "p" and paragraphs.can_take(plans, e, change)]
            for i in dict.fromkeys(able[k] for k in (0, len(able) // 2, -1) if able):
                def loosen(root, i=i, change=change):
                    nth(root, i).set(paragraphs.LOOSENESS, str(change))
                loosen(html.etree_element)
                trial = digest(layouts.render(), part)
                nth(html.etree_element, i).attrib.pop(paragraphs.LOOSENESS)
                print(json.dumps({"part": part.key, "change": f"looseness {change:+d} of element {i}",
                                  "unchanged": unchanged, "relayout": trial, "fresh": fresh(part, loosen)}), flush=True)
        if chosen_for("moved", part) and any(makeup.is_float(e) for e in elements):
            moves.append(part)
    for n, part in enumerate(moves):
        for css in ("",) + ((NEIGHBOUR,) if n < 2 else ()):
            float_moved(replace(part, html=part.html.replace("</head>", f"<style>{css}</style></head>", 1)), css)


if __name__ == "__main__":
    main(*sys.argv[1:])
