"""The command line that starts hopsync's worker processes (used by `hopsync worker` and tests)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from shared.constants import RUNS_QUEUE

# An idle Dramatiq consumer backs off up to this long between fetches (Dramatiq's default is 1 s):
# the first message of a run or a live event would wait for it. A few fetches a second per queue
# cost Redis nothing.
IDLE_POLL_MS = 200
# Except the runs queue's consumer (``idle_poll_ms`` caps its timeout at this; Dramatiq sleeps
# half to all of it). The runs queue carries a run's aggregator, sent when its last outcome is
# stored: everyone waiting on the run (`resync --wait`, the console, the notifications) waits for
# that look, about 40 ms on average instead of 80. Each idle worker process pays about 7 fetches
# a second more for it (50 ms: a 20 ms wait for 13 more, measured).
RUNS_IDLE_POLL_MS = 100
METRICS_DIR_PREFIX: Final = "hopsync-worker-metrics-"


def idle_poll_ms(queue_name: str, worker_timeout_ms: int) -> int:
    """The longest an idle consumer of the queue backs off between looks: the worker's timeout,
    capped at RUNS_IDLE_POLL_MS for the runs queue."""
    if queue_name == RUNS_QUEUE:
        return min(worker_timeout_ms, RUNS_IDLE_POLL_MS)
    return worker_timeout_ms


def worker_env(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with Dramatiq's idle poll set to IDLE_POLL_MS, unless the operator set it."""
    return {"dramatiq_worker_timeout": str(IDLE_POLL_MS), **base}


def worker_command(processes: int, threads: int) -> list[str]:
    """The fleet supervisor (workers.fleet_main) on workers.entry, with this interpreter."""
    return [
        sys.executable,
        "-m",
        "workers.fleet_main",
        "workers.entry",
        "--skip-logging",  # hopsync's logging set-up formats Dramatiq's records too
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]


def fleet_metrics_env(
    port: int, *, root: Path | None = None, pid: int | None = None
) -> dict[str, str]:
    """The environment of Dramatiq's Prometheus middleware for one fleet.

    Its port (0: off) and a directory of its own, ``hopsync-worker-metrics-PID``.

    Dramatiq's default directory is one per host, so every fleet on the host would add up its
    counts with the others'. The PID is the fleet's main process (`hopsync worker` execs it), and
    the directories of fleets no longer running are removed.
    """
    if port == 0:
        return {"dramatiq_prom_port": "0"}
    base = root or Path(tempfile.gettempdir())
    _remove_stale_metrics_dirs(base)
    directory = base / f"{METRICS_DIR_PREFIX}{pid or os.getpid()}"
    shutil.rmtree(directory, ignore_errors=True)  # a reused PID: start from zero
    directory.mkdir(parents=True)
    return {"dramatiq_prom_port": str(port), "dramatiq_prom_db": str(directory)}


def _remove_stale_metrics_dirs(base: Path) -> None:
    for directory in base.glob(f"{METRICS_DIR_PREFIX}*"):
        owner = directory.name.removeprefix(METRICS_DIR_PREFIX)
        if owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(directory, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
