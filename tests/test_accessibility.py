"""The reading PDFs pass two independent PDF/UA-1 checkers from PyPI, outloud and pdfua
(pinned in the test extras), with no error. Their warnings are printed, not failed on:
they are heuristics a person judges (see the README)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PDFS = ["2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"]
ALL_PDFS = PDFS + ["2020-06.pdf", "2020-06.zh.pdf", "2020-06.en.pdf"]
BIN = Path(sys.executable).parent


def outloud(*pdfs: Path) -> dict[Path, list[dict]]:
    """outloud's findings on each PDF, from one run for them all: each run loads its models first
    (onnxruntime, about 2 CPU-s), then takes a third of a second a PDF."""
    result = subprocess.run([str(BIN / "outloud"), "--json", "-", "--no-info", "--fail-on", "never", *map(str, pdfs)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)["results"]
    assert [report["path"] for report in reports] == list(map(str, pdfs))
    found = {}
    for pdf, report in zip(pdfs, reports):
        assert not report.get("error"), report["error"]
        found[pdf] = [{"rule": f["rule"], "severity": f["severity"], "page": f.get("page"), "message": f["message"]}
                      for f in report["findings"]]
    return found


def broken(built: Path, folder: Path) -> Path:
    """2020-02.en.pdf without its XMP metadata: an error for both checkers."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=built / "2020-02.en.pdf")
    del writer._root_object["/Metadata"]
    path = folder / "broken.pdf"
    writer.write(path)
    return path


@pytest.fixture(scope="session")
def outloud_findings(build_of, tmp_path_factory):
    """outloud's findings on the six reading PDFs and the broken one, by name: one run for the
    session, shared by the xdist workers as conftest.session_build shares the builds (the first
    to need it runs it while the others wait on a lock)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    record = shared / "outloud.json"
    pdfs = {name: build_of(name[:7]) / name for name in ALL_PDFS}  # built before the lock is taken
    with open(shared / "outloud.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            folder = shared / "outloud"
            folder.mkdir(exist_ok=True)
            pdfs["broken.pdf"] = broken(build_of("2020-02"), folder)
            found = outloud(*pdfs.values())
            partial = record.with_suffix(".part")
            partial.write_text(json.dumps({name: found[pdf] for name, pdf in pdfs.items()}), encoding="utf-8")
            partial.rename(record)  # whole, or not there
    return json.loads(record.read_text(encoding="utf-8"))


def pdfua(pdf: Path) -> list[dict]:
    result = subprocess.run([str(BIN / "pdfua"), "check", "--format", "json", str(pdf)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1, 2, 3), result.stderr  # 4: not read as a PDF, 5: usage
    report = json.loads(result.stdout)
    return [{"rule": f["rule_id"], "severity": f["severity"], "page": f.get("page"), "message": f["message"]}
            for f in report["findings"]]


@pytest.mark.parametrize("checker", ["outloud", "pdfua"])
@pytest.mark.parametrize("name", ALL_PDFS)
def test_pdf_ua_checkers_find_no_error(build_of, name, checker, request):
    if checker == "outloud":
        findings = request.getfixturevalue("outloud_findings")[name]
    else:
        findings = pdfua(build_of(name[:7]) / name)
    for finding in findings:
        print(f"{name}: {finding['severity']} {finding['rule']} p{finding['page']}: {finding['message']}")
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == [], "\n".join(f"{f['rule']} p{f['page']}: {f['message']}" for f in errors)


def test_checkers_see_errors(tmp_path, built, outloud_findings):
    """Both checkers do find errors in these PDFs when one is broken: no XMP metadata (outloud's
    findings on it from the run that checked the others)."""
    assert [f for f in outloud_findings["broken.pdf"] if f["severity"] == "error"]
    assert [f for f in pdfua(broken(built, tmp_path)) if f["rule"] == "UA-28-004"]
