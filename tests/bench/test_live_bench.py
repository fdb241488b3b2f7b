"""The live benchmark in its smoke size: every event accepted, and every change reaches Okta."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "live_bench.py"
SMOKE = ("--people", "100", "--rate", "50", "--seconds", "3")
FIGURES = (
    "accepted_share",
    "accept_p50_ms",
    "accept_p99_ms",
    "distinct_people",
    "person_syncs",
    "event_to_write_p95_s",
    "targets_met",
    "events_sent",
    "events_accepted",
    "sync_outcomes",
    "okta_user_writes",
    "events_written_own_title",
    "events_written_by_a_later_title",
    "events_never_written",
    "event_to_write_p50_s",
    "event_to_write_max_s",
    "stale_overwrites",
    "people_out_of_step_at_end",
    "okta_limits_bind",
    "drained",
    "load_average_after",
)


def run_smoke(redis_url: str) -> tuple[list[str], dict[str, Any]]:
    """The table lines and the figures of one smoke run."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *SMOKE, "--redis-url", redis_url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    return lines[:-1], json.loads(lines[-1])


def test_every_event_is_accepted_and_every_change_is_written_to_okta(redis_url: str) -> None:
    table, found = run_smoke(redis_url)
    assert len(table) > 10, "a readable table comes before the JSON line"
    assert [name for name in FIGURES if name not in found] == []
    assert found["events_sent"] == found["events_accepted"] == 150
    assert found["accepted_share"] == 1.0
    assert found["statuses"] == {"202": 150}
    assert found["drained"] is True
    # Every accepted event is carried to Okta by a write of its title or of a later one.
    assert found["events_never_written"] == 0
    written = found["events_written_own_title"] + found["events_written_by_a_later_title"]
    assert written == 150
    assert found["stale_overwrites"] == 0
    assert found["people_out_of_step_at_end"] == 0
    # Coalescing: one sync per person and burst at most, never more syncs than events.
    distinct = found["distinct_people"]
    assert distinct <= found["person_syncs"] <= found["events_accepted"]
    assert sum(found["sync_outcomes"].values()) == found["person_syncs"]
    assert found["okta_user_writes"] >= distinct
    # Events wait for the coalescing window before their sync, so no write is instant.
    assert found["event_to_write_max_s"] >= found["coalesce_s"] > 0
    assert 0 < found["accept_p50_ms"] <= found["accept_p99_ms"]
    assert found["okta_limits_bind"] is False
