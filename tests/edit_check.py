"""Typeset each article part of an issue, then the part again as it is, then again after an edit
that lengthens one of its paragraphs in the middle (as serve does: the paragraphs it did not
touch find their items and breaks made before, press/paragraphs.py and press/linebreak.py, the
lines set before, press.relayout.Carried, and its PDF the streams compressed before,
press/deflate.py), and the edited part once more with nothing kept from before; print one JSON
line per part: the four PDFs' hashes, how many paragraphs of the edited part were found composed
already and how many were composed anew, and how many lines of the part set again as it was
(unchanged) and of the edited part (lines) were found among the lines of the typesetting before
and how many were set anew.

Run by tests/test_relayout.py in a process of its own (the typesetter points fontconfig at the
project's fonts, which the rest of the test session should not inherit).
Usage: python tests/edit_check.py ISSUE_DIR CACHE_DIR [PARTS]
PARTS: the parts to edit (article/slug.lang, comma-separated); without it, every article part.
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


def main(issue_dir: str, cache_dir: str, chosen: str | None = None) -> None:
    from article_parts import article_parts, count_carried_lines

    from press import paragraphs

    def forget() -> None:
        typesetter.composing.forget()
        typesetter._carried.clear()

    def digest(part) -> str:
        return hashlib.sha256(typesetter.typeset(part).pdf).hexdigest()[:16]

    parts, typesetter = article_parts(issue_dir, cache_dir)
    if chosen is not None:
        assert set(chosen.split(",")) <= {part.key for part in parts}, chosen
        parts = [part for part in parts if part.key in chosen.split(",")]
    asked: list[bool] = []  # each paragraph's items asked for: found made before
    make_items = paragraphs._made

    def counted(context, key, make):
        asked.append(key in typesetter.composing.items)
        return make_items(context, key, make)

    paragraphs._made = counted
    carried: list[bool] = []  # each line box's line looked for among the last typesetting's: found
    count_carried_lines(carried)
    for part in parts:
        lang = "zh" if 'lang="zh' in part.html else "en"
        # The first paragraph of the body with more than a line of text.
        found = re.search(r'<p data-line="\d+">[^<]{60,}?(?=</p>)', part.html)
        if found is None:
            continue
        # Words put in its middle (in English, before a space): the lines after them hold other
        # text than before, and in Chinese as wide.
        at = (found.start() + found.end()) // 2
        if lang == "en":
            at = part.html.index(" ", at)
        edited = replace(part, html=part.html[:at] + WORDS[lang] + part.html[at:])
        forget()
        before = digest(part)  # every paragraph composed, and kept
        carried.clear()
        again = digest(part)  # nothing changed: every line found among the last typesetting's
        unchanged = [sum(carried), len(carried) - sum(carried)]
        asked.clear()
        carried.clear()
        after = digest(edited)
        reused, made = sum(asked), len(asked) - sum(asked)
        lines = [sum(carried), len(carried) - sum(carried)]
        forget()
        fresh = digest(edited)
        print(json.dumps({"part": part.key, "lang": lang, "before": before, "again": again, "after": after,
                          "fresh": fresh, "reused": reused, "made": made, "lines": lines, "unchanged": unchanged}),
              flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
