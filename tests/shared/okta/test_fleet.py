"""Two worker processes share one Okta budget through Redis: no 429, and the budget is used.

Okta's per-minute window is compressed to 3 s with a limit of 100 profile updates per window;
two OS processes push 600 updates through one fake Okta with a RedisRateLimiter each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.okta import FakeOkta
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import TOKEN, fake_okta

ROOT = Path(__file__).resolve().parents[3]
WINDOW_S = 3
LIMIT = 100
UPDATES = 600


def _seed() -> tuple[FakeOkta, list[str]]:
    state = fake_okta(window_s=WINDOW_S, limits={"user-update": LIMIT})
    ids = [
        state.add_user({"login": f"u{i:03d}@example.com", "email": f"u{i:03d}@example.com"}).id
        for i in range(UPDATES)
    ]
    return state, ids


def _start_worker(job_file: Path, job: dict[str, object]) -> subprocess.Popen[str]:
    job_file.write_text(json.dumps({**job, "name": job_file.stem}))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.shared.okta.fleet_worker", str(job_file)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _full_windows(counts: dict[float, int]) -> list[tuple[float, int]]:
    """Every window strictly between the first and the last one that saw requests."""
    starts = sorted(counts)
    first, last = starts[0], starts[-1]
    inner = [first + WINDOW_S * k for k in range(1, round((last - first) / WINDOW_S))]
    return [(start, counts.get(start, 0)) for start in inner]


@pytest.mark.redis
def test_two_processes_share_the_budget_without_429s_and_use_most_of_it(
    serve_okta: ServeOkta, redis_url: str, tmp_path: Path
) -> None:
    state, ids = _seed()
    server = serve_okta(state)
    job = {"okta": server.url, "redis": redis_url, "token": TOKEN, "share": 1.0,
           "max_in_flight": 20, "tasks": 20}  # fmt: skip
    started = time.monotonic()
    workers = [
        _start_worker(tmp_path / "worker-a.json", {**job, "user_ids": ids[0::2]}),
        _start_worker(tmp_path / "worker-b.json", {**job, "user_ids": ids[1::2]}),
    ]
    try:
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    elapsed = time.monotonic() - started
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outputs]

    counters = state.counters()
    windows = _full_windows(dict(counters.window_counts["user-update"]))
    utilization = sum(n for _, n in windows) / (len(windows) * LIMIT)
    print(
        f"\nfleet: {UPDATES} updates by 2 processes in {elapsed:.1f}s;"
        f" per-window counts {dict(sorted(counters.window_counts['user-update'].items()))};"
        f" full windows {[n for _, n in windows]}; utilization {utilization:.1%};"
        f" 429s {dict(counters.rate_limited)}; most in flight {counters.max_in_flight};"
        f" limiter waits {[s['limiter_waits'] for s in summaries]}"
    )
    assert counters.rate_limited == {}
    assert counters.calls[("user-update", "POST")] == UPDATES
    assert len(windows) >= 3
    assert utilization >= 0.9
    assert counters.max_in_flight <= 20
    titles = {user.profile.get("title") for user in state.users()}
    assert titles == {"Updated by worker-a", "Updated by worker-b"}
