"""What the caches are keyed by, besides the project's files: the installed Python packages and
the Pango and HarfBuzz that WeasyPrint loads (press/manifest.py, environment)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


from press import manifest  # noqa: E402


def test_a_package_of_another_version_is_another_key(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    (site / "pyphen-0.18.1.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    before = manifest.environment.__wrapped__()
    assert b"pyphen-0.18.1.dist-info" in before
    (site / "pyphen-0.18.1.dist-info").rename(site / "pyphen-0.19.0.dist-info")
    after = manifest.environment.__wrapped__()
    assert after != before and b"pyphen-0.19.0.dist-info" in after


def test_pango_and_harfbuzz_as_weasyprint_loads_them():
    """The versions in the key are those of the libraries WeasyPrint's own ffi has loaded (asked
    in a process of its own: importing WeasyPrint here would set up fontconfig for the session)."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from press.manifest import environment
from weasyprint.text.ffi import harfbuzz, pango
lines = dict(line.split(" ", 1) for line in environment().decode().splitlines() if line.startswith("lib"))
major, minor, micro = map(int, lines["libpango-1.0.so.0"].split("."))
assert pango.pango_version() == major * 10000 + minor * 100 + micro, (pango.pango_version(), lines)
major, minor, micro = map(int, lines["libharfbuzz.so.0"].split("."))
assert harfbuzz.hb_version_atleast(major, minor, micro), lines
assert not harfbuzz.hb_version_atleast(major, minor, micro + 1), lines
print(lines)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "libpango-1.0.so.0" in result.stdout and "libharfbuzz.so.0" in result.stdout


def test_the_build_fingerprint_follows_the_environment(tmp_path, monkeypatch):
    (tmp_path / "issue").mkdir()
    (tmp_path / "issue" / "a.zh.md").write_text("x")
    issue = [(tmp_path / "issue", manifest.issue_files(tmp_path / "issue"))]
    first = manifest.fingerprint(issue, (), [tmp_path / "issue"])
    monkeypatch.setattr(manifest, "environment", lambda *libraries: b"weasyprint-71.0.dist-info")
    assert manifest.fingerprint(issue, (), [tmp_path / "issue"]) != first


def test_a_damaged_remembered_issue_id_is_not_used(tmp_path):
    """The cache remembers each issue.yaml's id by its bytes' digest (a warm build loads no YAML).
    A damaged entry would name the output and baseline folders after another issue (diff then
    compared the pages with another issue's baselines): it is read from issue.yaml again."""
    import json

    issue = tmp_path / "issue"
    issue.mkdir()
    (issue / "issue.yaml").write_text('id: "2020-02"\n', encoding="utf-8")
    known = tmp_path / "issue-ids.json"
    assert manifest.issue_id(issue, known) == "2020-02"
    [(key, entry)] = json.loads(known.read_text(encoding="utf-8")).items()
    # Whatever is remembered with a check that holds is used: the file is a cache indeed.
    known.write_text(json.dumps({key: ["other", manifest._id_check(key, "other")]}), encoding="utf-8")
    assert manifest.issue_id(issue, known) == "other"
    for damaged in (["2020-06", entry[1]], "2020-06", ["2020-02", entry[1][:-1] + "0"], ["2020-06"], {"id": "2020-06"}):
        known.write_text(json.dumps({key: damaged}), encoding="utf-8")
        assert manifest.issue_id(issue, known) == "2020-02", damaged
        assert json.loads(known.read_text(encoding="utf-8")) == {key: entry}  # made again


def test_the_library_versions_are_kept_while_the_linker_would_load_the_same_files(tmp_path, monkeypatch):
    """Loading Pango to ask its version was a tenth of a warm build: the versions are kept in the
    cache with the linker's cache and the files it loaded, and asked again when any changed."""
    import json

    record = tmp_path / "libraries.json"
    asked = manifest.library_versions(record)
    assert asked == manifest._loaded_versions()[0] and asked[0].startswith("libpango-1.0.so.0 ")
    kept = json.loads(record.read_text())
    assert sorted(kept["files"]) == sorted(manifest._loaded_versions()[1]) and len(kept["files"]) == 2

    def load(names, function):
        raise AssertionError("a library loaded")

    monkeypatch.setattr(manifest, "_library_version", load)
    assert manifest.library_versions(record) == asked  # from the record, no library loaded
    # What would make the linker load another file: each asks the libraries again.
    for change in ({"linker": [*kept["linker"][:2], None]},  # ldconfig rewrote its cache
                   {"files": {path: [0, 0, 0, 0, 0] for path in kept["files"]}},  # a library replaced
                   {"versions": "damaged"}):
        record.write_text(json.dumps({**kept, **change}))
        try:
            manifest.library_versions(record)
        except AssertionError as exc:
            assert "a library loaded" in str(exc)
        else:
            raise AssertionError(f"the record was used after {change}")
    record.write_text(json.dumps(kept))
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    try:
        manifest.library_versions(record)
    except AssertionError as exc:
        assert "a library loaded" in str(exc)
    else:
        raise AssertionError("the record was used with another LD_LIBRARY_PATH")


def test_the_id_of_an_issue_yaml_nested_too_deep_is_given_up_on_in_bounded_time(tmp_path):
    """Every build asks issue.yaml for its id before anything else (the output folder is named after
    it). One nested 40,000 deep, within the 100 kB limit, kept PyYAML's Python loader busy for
    0.77 CPU-s before it gave up (the build then said what is wrong); read as press.issue reads
    YAML, it stops at the nesting limit. A well-formed one still gives its id."""
    import time

    issue = tmp_path / "issue"
    issue.mkdir()
    (issue / "issue.yaml").write_text("id: deep\nfoo: " + "[" * 40_000 + "]" * 40_000 + "\n", encoding="utf-8")
    import press.issue  # noqa: F401  (loaded by every build that gets this far: not what is measured)

    start = time.process_time()
    assert manifest.issue_id(issue) is None
    assert time.process_time() - start < 0.3  # 0.003 CPU-s here; 0.77 with the Python loader
    (issue / "issue.yaml").write_text("id: deep\nfoo: [[[1]]]\n", encoding="utf-8")
    assert manifest.issue_id(issue) == "deep"
