"""Lay out the issue's articles, and variants of them, with WeasyPrint's column balancing
and with press.balancing's; print one JSON line per document: the two PDFs' hashes, the
layout runs each search made, and the ways through press's search that its layout took.

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

# Every article part as the issue has it, and variants of the one whose last pages take press's
# search every way through (_path: a change at the next trial, and one found by galloping and
# bisecting, its run reused or made again; tests/test_reproducible.py checks that they still do).
# Each variant moves every line break of the article, so that its last page's columns are
# balanced against other paragraph, heading and footnote boundaries. These four documents of it
# run every line of press/balancing.py, and every step from one line to the next, that the six
# variants of each of the five parts run (30 documents, 2.7 times the layouts).
VARIANTS = {"article/working-together.zh": ("p { line-height: 1.9 }", "h2, h3 { margin-top: 3em }",
                                            "p { font-size: 96% }")}


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
    paths: set[str] = set()
    next_change = ours.__globals__["_next_change"]

    def followed(run, base, height, lost_space, max_height):
        """press.balancing._next_change, noting which way through it each call went."""
        probed = []

        def probe(trial_height):
            probed.append(trial_height)
            return run(trial_height)
        found = next_change(probe, base, height, lost_space, max_height)
        paths.add(_path(probed, found))
        return found

    ours.__globals__["_next_change"] = followed
    for page in pages:
        for css in ("",) + VARIANTS.get(page.key, ()):
            html = page.html.replace("</head>", f"<style>{css}</style></head>", 1)
            result = {"part": page.key, "css": css}
            for name, search in (("weasyprint", weasyprint_own), ("press", ours)):
                block.columns_layout = notes_under_columns(search)
                runs["n"] = 0
                paths.clear()
                typeset = typesetter.typeset(replace(page, html=html))
                result[name] = {"sha256": hashlib.sha256(typeset.pdf).hexdigest(), "pages": typeset.pages,
                                "column_runs": runs["n"]}
            result["press"]["paths"] = sorted(paths)
            print(json.dumps(result), flush=True)


def _path(probed: list[float], found: tuple) -> str:
    """Which way through press.balancing._next_change a call went, from the trial heights it laid
    out and what it returned: no column ended elsewhere up to the page's height; the very next
    trial differed; a trial ahead differed (galloping), then found by bisecting back or not; and
    whether the run at the height found was reused or must be made again."""
    height, _, run = found
    if height not in probed:
        return "no change up to the page's height" + (" (trials made)" if probed else " (no trial)")
    if len(probed) == 1:
        way = "the next trial"
    else:
        way = "bisected" if any(b < a for a, b in zip(probed, probed[1:])) else "galloped"
    return f"{way}, its run {'reused' if run is not None else 'made again'}"


if __name__ == "__main__":
    main(*sys.argv[1:])
