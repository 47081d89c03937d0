"""The same sources give the same bytes: SOURCE_DATE_EPOCH dates them, and the faster column balancing
lays them out as WeasyPrint would. From another folder, with empty caches: tests/test_bench_smoke.py
(the benchmark's cold build, against the session's)."""

from __future__ import annotations

import json

import pypdf

from column_search import VARIANTS
from conftest import ISSUE, ROOT, project_cache


def test_source_date_epoch_dates_the_pdf(tmp_path, run_fresh):
    result = run_fresh("pdf", str(ISSUE), "-o", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1600000000"})
    assert result.returncode == 0, result.stderr
    metadata = pypdf.PdfReader(tmp_path / "2020-02.pdf").metadata
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20200913000000Z"


def test_the_faster_column_balancing_gives_weasyprints_own_pages(run_script):
    """press.balancing reaches the column heights of WeasyPrint's search in fewer layouts: the
    issue's articles, and variants that move every line break of the one whose last pages take
    every way through press's search, come out byte for byte the same with either search
    (tests/column_search.py lays out each both ways)."""
    # The project's cache, as tests/test_relayout.py's scripts have it: the issue's font subsets
    # and images made once in a session, not again here (0.2 CPU-s of its 6.5, back to back).
    result = run_script(ROOT / "tests" / "column_search.py", str(ISSUE), str(project_cache().resolve()))
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
