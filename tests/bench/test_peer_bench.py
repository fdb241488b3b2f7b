"""The peer benchmark in its smoke size: both clients apply every update, hopsync without 429s."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "peer_bench.py"
SDK_MISSING = (
    "the official Okta SDK is not installed: bench/peer_bench.py compares hopsync with it;"
    " `pip install 'okta>=3.4,<4'` (the line belongs in pyproject's dev extra)"
)
FIGURES = (
    "wall_s",
    "updates_per_s",
    "updates_ok",
    "updates_failed",
    "updates_lost",
    "rate_limited_429s",
    "max_updates_in_a_window",
    "windows_used",
    "floor_s",
    "wall_over_floor",
)


@pytest.mark.redis
def test_both_clients_apply_every_update_and_hopsync_gets_no_429s(redis_url: str) -> None:
    if importlib.util.find_spec("okta") is None:
        pytest.fail(SDK_MISSING)
    command = [sys.executable, str(SCRIPT), "--people", "50", "--window", "1", "--limit", "20"]
    done = subprocess.run(
        [*command, "--redis-url", redis_url, "--json"],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])

    assert figures["people"] == 50
    assert figures["limit"] == 20
    assert figures["okta_sdk_version"].startswith("3.")
    for name in ("sdk", "hopsync"):
        contender = figures[name]
        assert set(FIGURES) <= set(contender), name
        assert contender["updates_ok"] == 50, (name, contender)
        assert contender["updates_failed"] == 0, (name, contender)
        assert contender["updates_lost"] == 0, (name, contender)
        assert not contender["timed_out"], (name, contender)
        assert contender["max_updates_in_a_window"] <= 20, (name, contender)
        assert contender["windows_used"] >= 3, (name, contender)  # 50 updates at 20 a window
        assert contender["floor_s"] == 2.5
        assert contender["updates_per_s"] > 0
    hopsync = figures["hopsync"]
    assert hopsync["rate_limited_429s"] == 0, hopsync
    assert hopsync["client_429s"] == 0, hopsync
    assert hopsync["requests"] == 50, hopsync
    assert hopsync["auth_headers_fixed"] == 0, hopsync
