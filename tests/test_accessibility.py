"""The reading PDFs pass two independent PDF/UA-1 checkers from PyPI, outloud and pdfua
(pinned in the test extras), with no error. Their warnings are printed, not failed on:
they are heuristics a person judges (see the README)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PDFS = ["2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"]
BIN = Path(sys.executable).parent


def outloud(pdf: Path) -> list[dict]:
    result = subprocess.run([str(BIN / "outloud"), "--json", "-", "--no-info", "--fail-on", "never", str(pdf)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)["results"]
    assert not report.get("error"), report["error"]
    return [{"rule": f["rule"], "severity": f["severity"], "page": f.get("page"), "message": f["message"]}
            for f in report["findings"]]


def pdfua(pdf: Path) -> list[dict]:
    result = subprocess.run([str(BIN / "pdfua"), "check", "--format", "json", str(pdf)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1, 2, 3), result.stderr  # 4: not read as a PDF, 5: usage
    report = json.loads(result.stdout)
    return [{"rule": f["rule_id"], "severity": f["severity"], "page": f.get("page"), "message": f["message"]}
            for f in report["findings"]]


@pytest.mark.parametrize("checker", [outloud, pdfua], ids=["outloud", "pdfua"])
@pytest.mark.parametrize("name", PDFS + ["2020-06.pdf", "2020-06.zh.pdf", "2020-06.en.pdf"])
def test_pdf_ua_checkers_find_no_error(build_of, name, checker):
    findings = checker(build_of(name[:7]) / name)
    for finding in findings:
        print(f"{name}: {finding['severity']} {finding['rule']} p{finding['page']}: {finding['message']}")
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == [], "\n".join(f"{f['rule']} p{f['page']}: {f['message']}" for f in errors)


def test_checkers_see_errors(tmp_path, built):
    """Both checkers do find errors in these PDFs when one is broken: no XMP metadata."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=built / "2020-02.en.pdf")
    del writer._root_object["/Metadata"]
    broken = tmp_path / "broken.pdf"
    writer.write(broken)
    assert [f for f in outloud(broken) if f["severity"] == "error"]
    assert [f for f in pdfua(broken) if f["rule"] == "UA-28-004"]
