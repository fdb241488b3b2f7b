"""The storm benchmark in a tiny size: it runs and its last line carries every headline figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "burst_bench.py"
TINY = ("--people", "12", "--seconds", "2", "--quiet-people", "6", "--quiet-seconds", "2")
FIGURES = (
    "wall_over_floor",
    "first_event_into_window_s",
    "okta_calls_per_person",
    "syncs_per_person",
    "rate_429",
    "accept_p50_ms",
    "accept_p99_ms",
    "accepted_share",
    "event_to_write_p95_s",
    "load_average_before",
    "machine",
)


def test_a_tiny_storm_prints_a_table_and_every_headline_figure_as_json(redis_url: str) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *TINY, "--redis-url", redis_url],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *table, last = done.stdout.strip().splitlines()
    found = json.loads(last)
    assert len(table) >= len(FIGURES)
    assert [name for name in FIGURES if name not in found] == []
    assert found["accepted_share"] == 1.0 and found["drained"] is True
    assert found["people_out_of_step_at_end"] == 0
