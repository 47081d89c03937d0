"""bench/browser.py, the live preview timed in Chromium, runs and times every edit it saves (the
targets are README's, measured on a quiet machine; the bound here only catches a preview that
stopped following edits, or one that waits for whole builds queued behind each other)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

BOUND_S = 20.0  # generous: the machine runs other builds, and CI machines are slower


def test_every_saved_edit_shows_in_the_tab(tmp_path, warm_cache):
    out = tmp_path / "browser.json"
    # serve's first build from the session's parts (conftest.warm_cache); the edits' words are new to it.
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "browser.py"), "--edits", "3", "--gaps", "2",
                             "--json", str(out), "--cache", str(warm_cache)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    times = json.loads(out.read_text())
    assert set(times) == {"first", "every 2 s"}
    assert len(times["first"]) == 1 and len(times["every 2 s"]) == 3
    for name, shown in times.items():
        # Infinity (no proof ever held the edit's words) fails here, as a slow one does.
        assert all(0 < t < BOUND_S for t in shown), (name, shown)
