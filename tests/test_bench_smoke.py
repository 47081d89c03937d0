"""The benchmark runs, and each scenario builds what it says (its timings are not tests: README
has the measured table). The smoke run uses the real issue, and for the small scale scenario
that issue once over, so their PDFs must have the real build's pages; the large one repeats its
articles under other slugs. Its cold build is a checkout elsewhere built from an empty cache in
a process of its own: it gives the very bytes of the session's build (the same sources give the
same bytes, from another folder, with empty caches)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pypdf

from conftest import ROOT

EDITIONS = ("2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf")


def test_benchmark_scenarios_build_what_they_say(tmp_path, built):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--json", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    results = report["results"]
    assert set(results) == {"naive", "cold", "warm", "edit", "serve", "scale-s", "scale-l"}
    assert "| cold |" in result.stdout
    # Every speed target is reported, each with pass or fail but the tab's, which the smoke run leaves out.
    targets = {t["target"]: t["pass"] for t in report["targets"]}
    assert len(targets) == 5 and all(f"| {target} |" in result.stdout for target in targets)
    assert [t for t, ok in targets.items() if ok is None] == [next(t for t in targets if "Chromium tab" in t)]
    assert all(isinstance(ok, bool) for t, ok in targets.items() if "Chromium tab" not in t)
    real = {name: len(pypdf.PdfReader(built / name).pages) for name in EDITIONS}

    def pages(scenario: str) -> dict[str, int]:
        return {name: f["pages"] for name, f in results[scenario]["files"].items()}

    def changed(a: str, b: str) -> set[str]:
        return {name for name in EDITIONS if results[a]["files"][name]["sha256"] != results[b]["files"][name]["sha256"]}

    # The issue's own builds: the three editions with the pages of the real build.
    for scenario in ("cold", "warm", "edit", "serve", "scale-s"):
        assert pages(scenario) == real, scenario
    # A copy of the issue in a folder of the bench's own (another path, of another length), built from an
    # empty cache by build.py in a new process: the bytes of the session's build of content/2020-02
    # (in the test process, with the project's cache as it finds it, and --press, which adds a file
    # and changes none of the three), and neither folder is named in them.
    for name in EDITIONS:
        data = (built / name).read_bytes()
        assert results["cold"]["files"][name]["sha256"] == hashlib.sha256(data).hexdigest(), f"{name} differs"
        assert str(ROOT).encode() not in data and b"press-bench-" not in data, name
    # A warm build leaves the cold build's PDFs as they were (the same files, not written again).
    assert results["warm"]["files"] == results["cold"]["files"]
    # One paragraph of share-solutions.zh.md edited: the editions holding Chinese change, the English one not.
    assert changed("edit", "cold") == {"2020-02.pdf", "2020-02.zh.pdf"}
    # Twice the articles (each opens a page of its own): twice the article pages, one cover and contents.
    front = 2
    assert pages("scale-l") == {name: front + 2 * (n - front) for name, n in real.items()}
    # The naive script typesets the same issue in one go, each edition a PDF (the smoke run: the English one).
    assert results["naive"]["files"] and all(f["pages"] > front for f in results["naive"]["files"].values())
