"""The resync and scale benchmarks run end to end and print their figures as a JSON last line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench"


def figures(script: str, *args: str) -> dict[str, Any]:
    answer = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    lines = answer.stdout.strip().splitlines()
    assert len(lines) > 1, "the table comes before the JSON line"
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def test_a_noop_resync_costs_list_pages_only_and_every_person_gets_an_outcome(
    redis_url: str,
) -> None:
    found = figures("resync_bench.py", "--people", "300", "--redis-url", redis_url)
    assert found["okta_writes"] == 0
    assert 0 < found["okta_calls_per_person"] <= 0.1
    assert sum(found["counts"].values()) == 300
    assert found["counts"]["unchanged"] > 250
    assert len(found["peak_worker_rss_mb"]) == 2
    assert found["wall_s"] > 0 and found["peak_producer_rss_mb"] > 0


def test_a_drift_resync_stays_within_every_window_of_the_compressed_limit(
    redis_url: str,
) -> None:
    found = figures(
        "resync_bench.py",
        *("--people", "300", "--drifted", "0.3", "--window", "1", "--limit", "20"),
        *("--redis-url", redis_url),
    )
    assert found["counts"]["updated"] > 0
    assert found["rate_limited"] == {}
    assert found["max_requests_in_a_write_bucket_window"] <= 20
    assert found["wall_over_floor"] is not None and found["wall_over_floor"] > 0.5


def test_the_scale_benchmark_compares_the_two_largest_sizes(redis_url: str) -> None:
    found = figures("scale_bench.py", "--people", "100,300", "--redis-url", redis_url)
    assert [run["people"] for run in found["runs"]] == [100, 300]
    assert found["size_ratio"] == 3
    assert found["wall_ratio"] == round(found["runs"][1]["wall_s"] / found["runs"][0]["wall_s"], 3)
    assert found["peak_worker_rss_mb_largest"] > 0
