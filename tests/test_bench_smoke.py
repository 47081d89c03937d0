"""The benchmark runs (its timings are not tests: README has the measured table)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_benchmark_script_runs(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--json", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert set(data["results"]) == {"naive", "cold", "warm", "edit", "serve", "scale-s", "scale-l"}
    assert all(r["median_s"] > 0 and r["peak_mb"] > 0 for r in data["results"].values())
    assert data["results"]["warm"]["pages"] == data["results"]["cold"]["pages"] > 0
    assert "| cold |" in result.stdout
