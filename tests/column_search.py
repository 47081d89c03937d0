"""Lay out the issue's articles, and variants of them, with WeasyPrint's column balancing
and with press.balancing's; print one JSON line per document: the two PDFs' hashes and the
layout runs each search made.

Run by tests/test_reproducible.py in a process of its own (the typesetter points fontconfig
at the project's fonts, which the rest of the test session should not inherit).
Usage: python tests/column_search.py ISSUE_DIR CACHE_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each variant moves every line break of the article, so that the last page's columns
# are balanced against other paragraph, heading and footnote boundaries.
VARIANTS = ("", "p { font-size: 96% }", "p { font-size: 104% }", "p { line-height: 1.9 }",
            "p { text-indent: 5em }", "h2, h3 { margin-top: 3em }")


def main(issue_dir: str, cache_dir: str) -> None:
    from dataclasses import replace

    from article_parts import article_parts

    pages, typesetter = article_parts(issue_dir, cache_dir)
    from weasyprint.layout import block, column

    from press.footnotes import notes_under_columns

    # Each search inside press.footnotes' wrapper, which mends the layouts either search gives that
    # move a note away from its call (2020-02's knowledge-sharing.zh at line-height 1.9).
    ours, weasyprint_own = block.columns_layout.__wrapped__, column.columns_layout
    assert ours is not weasyprint_own, "press.balancing is not installed"

    runs = {"n": 0}
    layout = block.block_box_layout

    def counted(context, box, *args, **kwargs):
        if getattr(box, "is_column", False):
            runs["n"] += 1
        return layout(context, box, *args, **kwargs)

    block.block_box_layout = counted
    for page in pages:
        for css in VARIANTS:
            html = page.html.replace("</head>", f"<style>{css}</style></head>", 1)
            result = {"part": page.key, "css": css}
            for name, search in (("weasyprint", weasyprint_own), ("press", ours)):
                block.columns_layout = notes_under_columns(search)
                runs["n"] = 0
                typeset = typesetter.typeset(replace(page, html=html))
                result[name] = {"sha256": hashlib.sha256(typeset.pdf).hexdigest(), "pages": typeset.pages,
                                "column_runs": runs["n"]}
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
