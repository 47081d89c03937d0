"""The benchmark runs, and each scenario builds what it says (its timings are not tests: README
has the measured table). The smoke run uses the real issue, and for the small scale scenario
that issue once over, so their PDFs must have the real build's pages; the large one repeats
articles under other slugs (the smoke run its shortest alone). Its cold build is a checkout
elsewhere built from an empty cache in a process of its own: it gives the very bytes of the
session's build (the same sources give the same bytes, from another folder, with empty caches)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pypdf
import yaml

from conftest import ISSUE, ROOT

EDITIONS = ("2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf")


def article_pages(pdf: Path) -> dict[str, int]:
    """The pages of each of 2020-02's articles in one of its PDFs (slug -> pages, its languages
    together), from where the PDF's outline opens it to where the next entry opens, or the end."""
    titles = {}
    for source in ISSUE.glob("*.*.md"):
        head = source.read_text(encoding="utf-8").split("---", 2)[1]
        titles[yaml.safe_load(head)["title"]] = source.name.split(".")[0]
    reader = pypdf.PdfReader(pdf)
    opened: list[tuple[str, int]] = []

    def walk(entries: list) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                opened.append((entry.title, reader.get_destination_page_number(entry)))

    walk(reader.outline)
    found: dict[str, int] = {}
    for title, first in opened:
        if title in titles:
            end = min((page for _, page in opened if page > first), default=len(reader.pages))
            found[titles[title]] = found.get(titles[title], 0) + end - first
    return found


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
    # The small issue is the issue once over; the large one repeats articles under other slugs
    # (slug-1, ...; the smoke run its shortest once), and as each opens a page of its own, each
    # repeat adds its article's pages to the editions that hold it, and one cover and contents still.
    assert results["scale-s"]["articles"] == yaml.safe_load((ISSUE / "issue.yaml").read_text(encoding="utf-8"))["articles"]
    repeats = [slug.rsplit("-", 1)[0] for slug in results["scale-l"]["articles"][len(results["scale-s"]["articles"]):]]
    assert repeats and set(repeats) <= set(results["scale-s"]["articles"]), results["scale-l"]["articles"]
    added = {name: sum(article_pages(built / name).get(slug, 0) for slug in repeats) for name in EDITIONS}
    assert added["2020-02.pdf"] > 0
    assert pages("scale-l") == {name: real[name] + added[name] for name in EDITIONS}
    front = 2
    # The naive script typesets the same issue in one go, each edition a PDF (the smoke run: the English one).
    assert results["naive"]["files"] and all(f["pages"] > front for f in results["naive"]["files"].values())
