"""The live benchmark's processes: start and stop them, measure their CPU, drain the live runs."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redis_stats import redis_cpu

from harness.world import WorkerFleet, free_port
from producers.live.queue import PERSON, Target
from shared import constants

ROOT = Path(__file__).resolve().parents[1]


def start_receiver(
    env: dict[str, str], port: int, log_path: Path, command: str | None = None
) -> subprocess.Popen[bytes]:
    """The real `hopsync webhook` (receiver and live flusher) on 127.0.0.1:port.

    ``command`` replaces `python -m producers.cli webhook` (a patched receiver, to try a fix);
    ``--host 127.0.0.1 --port N`` are appended to it.
    """
    base = shlex.split(command) if command else [sys.executable, "-m", "producers.cli", "webhook"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*base, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env, "HOPSYNC_METRICS_PORT": str(free_port())},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """SIGTERM, then SIGKILL past the timeout."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout_s)


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> float:
    """Poll ``url`` until it answers 200; returns the seconds it took."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the webhook receiver exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"{url} did not answer within {timeout_s} s")
        time.sleep(0.1)


def wait_workers(client: redis.Redis, processes: int, timeout_s: float = 30) -> float:
    """Wait until every worker process has fetched from the broker (its heartbeat is in Redis)."""
    key = f"{constants.DRAMATIQ_NAMESPACE}:__heartbeats__"
    started = time.monotonic()
    while client.zcard(key) < processes:
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"{processes} worker processes did not start within {timeout_s} s")
        time.sleep(0.1)
    return time.monotonic() - started


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds the processes used so far (children not waited for excluded)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    found = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True, check=False
    )
    return [int(p) for p in found.stdout.split()]


def renice(fleet: WorkerFleet, nice: int) -> int:
    """Give the worker processes (main and children) niceness ``nice``; returns what was set."""
    if nice == 0 or fleet.process is None:
        return 0
    for pid in [fleet.process.pid, *children(fleet.process.pid)]:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:
            return 0  # not permitted: the workers keep the default priority
    return nice


def live_runs(client: redis.Redis) -> list[str]:
    """The ids of every live run in Redis."""
    ids = (
        _text(raw)
        for raw in client.zrange(constants.RUNS_INDEX, 0, -1)
        if isinstance(raw, bytes | str)
    )
    return [run_id for run_id in ids if run_id.startswith("live-")]


def backlog(client: redis.Redis) -> tuple[int, int, int]:
    """(entries pending or in flight, messages enqueued into live runs, outcomes recorded)."""
    entries = client.zcard(constants.LIVE_PENDING) + client.zcard(constants.LIVE_INFLIGHT)
    enqueued = recorded = 0
    for run_id in live_runs(client):
        enqueued += int(client.hget(constants.run_key(run_id), "enqueued") or 0)
        recorded += int(client.hlen(constants.run_outcomes_key(run_id)))
    return int(entries), enqueued, recorded


def drain(client: redis.Redis, timeout_s: float) -> bool:
    """Wait until no entry is pending or in flight and every enqueued sync has its outcome."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        entries, enqueued, recorded = backlog(client)
        if entries == 0 and recorded >= enqueued:
            return True
        time.sleep(0.2)
    return False


def warm_up(client: redis.Redis, person: str, timeout_s: float = 60) -> float:
    """Sync one person through the live queue (due now) so the live run and its groups exist.

    Without it the first burst of a new live run waits for one worker's groups look-up (see
    workers/sync.py run_group_ids); --no-warmup shows that. Returns the seconds it took.
    """
    started = time.monotonic()
    client.zadd(constants.LIVE_PENDING, {Target(PERSON, person).member: time.time()})
    while True:
        entries, enqueued, recorded = backlog(client)
        if entries == 0 and enqueued and recorded >= enqueued:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"the warm-up sync did not finish within {timeout_s} s")
        time.sleep(0.05)


def sync_outcomes(client: redis.Redis) -> Counter[str]:
    """Outcomes of the live runs by status."""
    statuses: Counter[str] = Counter()
    for run_id in live_runs(client):
        for raw in client.hvals(constants.run_outcomes_key(run_id)):
            statuses[str(json.loads(raw).get("status"))] += 1
    return statuses


@dataclass
class Usage:
    """CPU seconds of each part of the system since the load began."""

    receiver: float
    workers: float
    simulators: float
    redis: float | None  # None: the server does not report its CPU (an embedded Redis)


def measure_usage(
    client: redis.Redis, receiver: int, fleet: WorkerFleet | None, before: Usage | None = None
) -> Usage:
    """CPU seconds used so far (minus ``before``)."""
    workers = children(fleet.process.pid) if fleet is not None and fleet.process else []
    now = Usage(
        receiver=cpu_seconds([receiver, *children(receiver)]),  # with its flusher process
        workers=cpu_seconds(workers),
        simulators=time.process_time(),
        redis=redis_cpu(client),
    )
    if before is None:
        return now
    return Usage(
        receiver=round(now.receiver - before.receiver, 2),
        workers=round(now.workers - before.workers, 2),
        simulators=round(now.simulators - before.simulators, 2),
        redis=_spent(now.redis, before.redis),
    )


def _spent(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 2)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
