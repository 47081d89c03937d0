"""The same sources give the same bytes: from another folder, with empty caches."""

from __future__ import annotations

import shutil

import pypdf

from conftest import ISSUE, run_build


def test_two_checkouts_give_identical_pdfs(tmp_path):
    outs = []
    for where in ("a", "b/deeper/still"):
        issue = tmp_path / where / "2020-02"
        shutil.copytree(ISSUE, issue)
        out = tmp_path / where / "out"
        result = run_build("pdf", str(issue), "-o", str(out), env={"PRESS_CACHE_DIR": str(tmp_path / where / "cache")})
        assert result.returncode == 0, result.stderr
        outs.append(out)
    names = sorted(p.name for p in outs[0].glob("*.pdf"))
    assert names == ["2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf"]
    for name in names:
        first, second = (outs[0] / name).read_bytes(), (outs[1] / name).read_bytes()
        assert first == second, f"{name} differs between the two builds"
        assert str(tmp_path).encode() not in first


def test_source_date_epoch_dates_the_pdf(tmp_path):
    result = run_build("pdf", str(ISSUE), "-o", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1600000000"})
    assert result.returncode == 0, result.stderr
    metadata = pypdf.PdfReader(tmp_path / "2020-02.pdf").metadata
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20200913000000Z"
