"""Typeset each article part of an issue, then the part again after an edit that lengthens one
of its paragraphs (as serve does: the paragraphs it did not touch find their items and breaks
made before, press/paragraphs.py and press/linebreak.py, and
its PDF the streams compressed before, press/deflate.py), and the edited part once more with
nothing kept from before; print one JSON line per part: the three PDFs' hashes, and how many
paragraphs of the edited part were found composed already and how many were composed anew.

Run by tests/test_relayout.py in a process of its own (the typesetter points fontconfig at the
project's fonts, which the rest of the test session should not inherit).
Usage: python tests/edit_check.py ISSUE_DIR CACHE_DIR
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = {"zh": "科技人员合作研究的成果", "en": " and the results of joint research"}


def main(issue_dir: str, cache_dir: str) -> None:
    from article_parts import article_parts

    from press import deflate, paragraphs

    def forget() -> None:
        paragraphs.forget()
        deflate.forget()

    def digest(part) -> str:
        return hashlib.sha256(typesetter.typeset(part).pdf).hexdigest()[:16]

    parts, typesetter = article_parts(issue_dir, cache_dir)
    asked: list[bool] = []  # each paragraph's items asked for: found made before
    make_items = paragraphs._made

    def counted(key, make):
        asked.append(key in paragraphs._ITEMS)
        return make_items(key, make)

    paragraphs._made = counted
    for part in parts:
        lang = "zh" if 'lang="zh' in part.html else "en"
        # The end of the first paragraph of the body with more than a line of text.
        found = re.search(r'<p data-line="\d+">[^<]{60,}?(?=</p>)', part.html)
        if found is None:
            continue
        edited = replace(part, html=part.html[:found.end()] + WORDS[lang] + part.html[found.end():])
        forget()
        before = digest(part)  # every paragraph composed, and kept
        asked.clear()
        after = digest(edited)
        reused, made = sum(asked), len(asked) - sum(asked)
        forget()
        fresh = digest(edited)
        print(json.dumps({"part": part.key, "lang": lang, "before": before, "after": after, "fresh": fresh,
                          "reused": reused, "made": made}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
