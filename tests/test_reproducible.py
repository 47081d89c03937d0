"""The same sources give the same bytes: from another folder, with empty caches."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pypdf

from column_search import VARIANTS
from conftest import ISSUE, ROOT, run_build


def test_two_checkouts_give_identical_pdfs(tmp_path, built):
    """A checkout elsewhere, deeper, built from an empty cache, gives the bytes of the session's
    build of content/2020-02 (in the test process, with the project's cache as it finds it, and
    --press, which adds a file and changes none of the three)."""
    issue = tmp_path / "b" / "deeper" / "still" / "2020-02"
    shutil.copytree(ISSUE, issue)
    out = issue.parent / "out"
    result = run_build("pdf", str(issue), "-o", str(out), env={"PRESS_CACHE_DIR": str(issue.parent / "cache")})
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == ["2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf"]
    for name in names:
        first, second = (built / name).read_bytes(), (out / name).read_bytes()
        assert first == second, f"{name} differs between the two builds"
        assert str(tmp_path).encode() not in second and str(ROOT).encode() not in first


def test_source_date_epoch_dates_the_pdf(tmp_path):
    result = run_build("pdf", str(ISSUE), "-o", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1600000000"})
    assert result.returncode == 0, result.stderr
    metadata = pypdf.PdfReader(tmp_path / "2020-02.pdf").metadata
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20200913000000Z"


def test_the_faster_column_balancing_gives_weasyprints_own_pages(tmp_path):
    """press.balancing reaches the column heights of WeasyPrint's search in fewer layouts: the
    issue's articles, and variants that move every line break of the one whose last pages take
    every way through press's search, come out byte for byte the same with either search
    (tests/column_search.py lays out each both ways)."""
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "column_search.py"), str(ISSUE), str(tmp_path)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    articles = {p.name.rsplit(".", 1)[0] for p in ISSUE.glob("*.*.md")}  # slug.lang.md
    assert len(documents) == len(articles) + sum(len(variants) for variants in VARIANTS.values())
    # Every way through the search is compared: were one no longer taken (the issue or the search
    # changed), other variants must be found that take it (column_search.py says which each took).
    assert set().union(*(d["press"]["paths"] for d in documents)) >= {
        "the next trial, its run reused", "bisected, its run reused", "bisected, its run made again"}, documents
    for document in documents:
        assert document["press"]["sha256"] == document["weasyprint"]["sha256"], document
    # On the line grid (press/grid.py) WeasyPrint's own trial heights are whole lines apart, and
    # most of them are needed: these eight documents took it 905 layouts, press's search 731. It
    # never takes more than WeasyPrint's, and fewer in all.
    assert all(d["press"]["column_runs"] <= d["weasyprint"]["column_runs"] for d in documents), documents
    runs = {name: sum(d[name]["column_runs"] for d in documents) for name in ("weasyprint", "press")}
    assert runs["press"] < runs["weasyprint"], runs
