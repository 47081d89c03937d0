"""The edits of tests/test_proof_browser.py, step by step as serve runs them (its process's session,
the proof drawn early, press.typeset.warm_up_between_edits between builds), each step taken at a
set moment instead of when the browser test's timing lets it: an edit, whose build is stopped by
the next save once its bilingual PDF is written and while its editions are not; an error; the
warm-up, stopped within its first part by the save that puts the source back; that save's build.
Its PDFs are then those of the unedited sources, byte for byte, each linked into the proof folder,
and the proof's pages are the unedited proof's again."""

from __future__ import annotations

import json

from conftest import ROOT

STEPS = r"""
import hashlib, json, os, sys, threading
from pathlib import Path

issue, out, cache = map(Path, sys.argv[1:4])
os.environ["PRESS_CACHE_DIR"] = str(cache)
from press.config import load_config
from press.errors import PressError
from press.pipeline import proof
from press.session import Session
from press.stages import Stopped
from press.typeset import import_weasyprint, isolate_fontconfig, warm_up_between_edits


class SavedAfter(threading.Event):
    # An edit saved once the layout has asked `lines` times whether one was (once a line).
    def __init__(self, lines):
        super().__init__()
        self.left = lines

    def is_set(self):
        self.left -= 1
        return self.left < 0 or super().is_set()


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.pdf"))}


cfg = load_config(str(issue), str(out))
session = Session()
isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
import_weasyprint()  # as serve does: this process sets parts itself
list(proof(cfg, session, draft=False, early=True))  # serve's first build
unedited, pages = digests(out), json.loads((out / "proof" / "pages" / "pages.json").read_text())
article = issue / "share-solutions.zh.md"
text = article.read_text(encoding="utf-8")
marker = "这是中国科技人员共同奋斗的成果"
article.write_text(text.replace("这是中国科技人员奋斗的成果", marker), encoding="utf-8")
saved = threading.Event()
steps = proof(cfg, session, saved, draft=False, early=True)
shown = next(steps)
written = next(steps)
edited = digests(out)
saved.set()  # the error saved while the editions are being written
try:
    next(steps)
    stopped = False
except Stopped:
    stopped = True
article.write_text(text.replace("这是中国科技人员奋斗的成果", marker + "[^9]"), encoding="utf-8")
try:
    list(proof(cfg, session, threading.Event(), draft=False, early=True))
    error = None
except PressError as exc:
    error = [p.message for p in exc.problems if p.severity == "error"]
waiting = [job[2].key for job in session.unwarmed]
warm_up_between_edits(session, SavedAfter(30))  # the source put back while the warm-up runs
article.write_text(text, encoding="utf-8")
list(proof(cfg, session, threading.Event(), draft=False, early=True))
print(json.dumps({
    "unedited": unedited, "edited": edited, "stopped": stopped, "error": error, "waiting": waiting,
    "shown": [shown.layout is not None, written.path.name], "final": digests(out),
    "linked": {p.name: os.path.samefile(p, out / p.name) for p in sorted((out / "proof").glob("*.pdf"))},
    "pages": json.loads((out / "proof" / "pages" / "pages.json").read_text()) == pages}))
"""


def test_an_edit_stopped_while_its_editions_are_written_then_put_back_during_the_warm_up(issue_copy, tmp_path,
                                                                                          warm_cache, run_script):
    result = run_script(STEPS, str(issue_copy), str(tmp_path / "out"), str(warm_cache), cwd=ROOT, seconds=600)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    unedited, edited = seen["unedited"], seen["edited"]
    # The sequence as meant: the edit's bilingual PDF written, its editions not, when it was stopped.
    assert seen["shown"] == [True, "2020-02.pdf"] and seen["stopped"], seen
    assert sorted(unedited) == sorted(edited) == ["2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf"], seen
    assert edited["2020-02.pdf"] != unedited["2020-02.pdf"] and edited["2020-02.zh.pdf"] == unedited["2020-02.zh.pdf"], seen
    assert seen["error"] == ["footnote reference [^9] has no definition: add a line '[^9]: text'"], seen
    assert len(seen["waiting"]) > 1, seen  # the warm-up had parts to set when the source was put back
    assert seen["final"] == unedited, seen
    assert seen["linked"] == {name: True for name in unedited}, seen
    assert seen["pages"], seen
