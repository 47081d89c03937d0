"""serve's warm-up between edits (press.typeset.warm_up_between_edits), as serve runs it: the
first build of a copy of the issue with an empty cache (its article parts set by the workers, the
shortest by this process), the warm-up stopped by an edit within its first part, then run to its
end, then an edit of the longest article built; print one JSON line: the article parts, those set
in this process before the warm-up, after the stopped one and after the whole one, the lines of
the edited part found among its last typesetting's (press.relayout.Carried) and set anew, and the
digest of the bilingual PDF the edit's build wrote.

Run by tests/test_relayout.py in a process of its own (the typesetter points fontconfig at the
project's fonts, which the rest of the test session should not inherit).
Usage: python tests/warm_check.py ISSUE_COPY OUT_DIR CACHE_DIR
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class StopsAfter(threading.Event):
    """An edit saved after the layout has asked `lines` times whether one was (once a line)."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.left = lines

    def is_set(self) -> bool:
        self.left -= 1
        return self.left < 0 or super().is_set()


def main(issue_dir: str, out_dir: str, cache_dir: str) -> None:
    os.environ["PRESS_CACHE_DIR"] = cache_dir
    from article_parts import count_carried_lines
    from press.config import load_config
    from press.pipeline import proof
    from press.session import Session
    from press.typeset import import_weasyprint, isolate_fontconfig, warm_up_between_edits

    cfg = load_config(issue_dir, out_dir)
    session = Session()
    isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
    import_weasyprint()  # as serve does: this process then sets parts itself (Typesetting.in_process)

    def build() -> Path:
        return [built.path for built in proof(cfg, session, draft=False, early=True)][-1].parent

    def carried() -> list[str]:
        return sorted(key for typesetter in session.typesetters._current.values() for key in typesetter._carried)

    build()
    jobs = list(session.unwarmed)
    parts = sorted(job[2].key for job in jobs)
    before = carried()
    warm_up_between_edits(session, StopsAfter(20))
    stopped = carried()
    warm_up_between_edits(session, threading.Event())
    warmed = carried()

    longest = max(jobs, key=lambda job: len(job[2].html))
    source = Path(issue_dir) / longest[2].article.file_name
    text = source.read_text(encoding="utf-8")
    body = text.index("\n---", 3)  # after the front matter
    found = re.compile(r"^[^#\n\-!|>\[][^\n]{80,}$", re.M).search(text, body)  # a paragraph of the body
    words = "科技人员合作研究的成果" if longest[2].lang == "zh" else " and the results of joint research"
    source.write_text(text[:found.end()] + words + text[found.end():], encoding="utf-8")

    lines: list[bool] = []
    count_carried_lines(lines)
    build()
    bilingual = next(p for p in Path(out_dir).glob("*.pdf") if p.name.count(".") == 1)
    print(json.dumps({"parts": parts, "before": before, "stopped": stopped, "warmed": warmed,
                      "edited": longest[2].key, "lines": [sum(lines), len(lines) - sum(lines)],
                      "pdf": hashlib.sha256(bilingual.read_bytes()).hexdigest()}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
