"""`run_scheduler` as a process: a missed day runs once at start, SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from harness.world import Simulation, start_simulation
from producers.schedule.times import latest_slot
from shared import constants
from shared.infra.runs import RunStore

REPO = Path(__file__).resolve().parents[3]
ZONE = "America/New_York"
LAUNCH = (
    "from config.loader import load_config\n"
    "from producers.schedule.scheduler import run_scheduler\n"
    "run_scheduler(load_config())\n"
)


def wait_for(condition: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the scheduler process"
        time.sleep(0.05)


def launch(sim: Simulation, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", LAUNCH],
            cwd=REPO,
            env={**os.environ, **sim.env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0, log.read_text()


def test_the_process_runs_a_missed_day_once_releases_its_lock_on_sigterm_and_never_repeats_it(
    tmp_path: Path, redis_url: str
) -> None:
    daily_at = (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=2)).strftime("%H:%M")
    sim = start_simulation(
        tmp_path / "sim",
        redis_url,
        people=60,
        existing=0.0,
        config={"settings": {"timezone": ZONE, "daily_at": daily_at}},
    )
    client = redis.Redis.from_url(redis_url)
    log = tmp_path / "scheduler.log"
    try:
        latest = latest_slot(daily_at, ZONE, datetime.now(UTC)).day
        for job in ("resync", "hires"):
            key = constants.scheduler_last_tick_key(job)
            client.set(key, (latest - timedelta(days=3)).isoformat())
        done = [constants.scheduler_last_tick_key(job) for job in ("resync", "hires")]

        first = launch(sim, log)
        wait_for(lambda: client.mget(done) == [latest.isoformat().encode()] * 2)
        stop(first, log)
        assert client.exists(constants.SCHEDULER_LOCK) == 0
        [run] = RunStore(client).recent(10)
        assert (run.kind, run.note) == ("resync", "daily")

        second = launch(sim, log)
        wait_for(lambda: client.exists(constants.SCHEDULER_LOCK) == 1)
        stop(second, log)  # the first signal lets the wake-up in progress finish
        assert [run.run_id for run in RunStore(client).recent(10)] == [run.run_id]
        output = log.read_text()
        assert output.count("scheduler stopped") == 2
        assert output.count("scheduled job started") == 1
    finally:
        sim.close()
        client.close()


def test_a_second_sigterm_stops_a_running_job_at_once_and_leaves_its_day_undone(
    tmp_path: Path, redis_url: str
) -> None:
    daily_at = (datetime.now(ZoneInfo(ZONE)) - timedelta(hours=2)).strftime("%H:%M")
    sim = start_simulation(
        tmp_path / "sim",
        redis_url,
        people=60,
        existing=0.0,
        config={"settings": {"timezone": ZONE, "daily_at": daily_at}},
    )
    sim.charthop.latency_s = 3.0  # the resync is still reading ChartHop when the signals come
    client = redis.Redis.from_url(redis_url)
    log = tmp_path / "scheduler.log"
    try:
        missed = latest_slot(daily_at, ZONE, datetime.now(UTC)).day - timedelta(days=3)
        key = constants.scheduler_last_tick_key("resync")
        client.set(key, missed.isoformat())
        client.set(constants.scheduler_last_tick_key("hires"), missed.isoformat())
        process = launch(sim, log)
        wait_for(lambda: len(RunStore(client).recent(1)) == 1)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert process.poll() is None  # the first signal waits for the job
        started = time.monotonic()
        stop(process, log)
        assert time.monotonic() - started < 5
        assert client.get(key) == missed.isoformat().encode()
        assert client.exists(constants.SCHEDULER_LOCK) == 0
    finally:
        sim.close()
        client.close()
