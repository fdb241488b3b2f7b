"""bench/carrot_bench.py runs and ends with one JSON line holding every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "carrot_bench.py"


def test_the_benchmark_prints_a_table_then_a_json_line_with_every_figure() -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCH), "--people", "60"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = finished.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert "filter evaluations/s" in finished.stdout
    assert figures["people"] == 60
    assert (figures["filters"], figures["sources"]) == (20, 10)
    assert figures["filter_evals_per_s"] > 0 and figures["source_evals_per_s"] > 0
    assert len(figures["per_filter_evals_per_s"]) == 20
    assert all(0 <= count <= 60 for count in figures["selected_per_filter"].values())
