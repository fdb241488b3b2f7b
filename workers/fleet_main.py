"""`python -m workers.fleet_main MODULE --processes N --threads T`: the worker fleet's supervisor.

`hopsync worker` execs it. It starts N worker processes (workers.fleet_child) and keeps them
serving: a child that dies (kill -9, the OOM killer) is replaced at once and the reason logged,
so a run goes on without an outside supervisor; its unacknowledged messages are redelivered to
the others once its heartbeat is older than worker.heartbeat_timeout_ms. The fleet exits only
when asked (SIGTERM, SIGINT, SIGHUP) or when children keep dying right after they start (a crash
loop, reported, exit 1).

A stop signal, whether it reaches this process only (Docker) or every process of the group
(systemd's default), ends the fleet within STOP_WAIT_S plus a moment: each child is signalled
once and ends by its own deadline; one that has not is killed. Unacknowledged messages stay in
Redis and are redelivered, so a stop, even with Redis down, loses none. The fleet's metrics are
served from this process (Dramatiq's Prometheus middleware writes them into one directory).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import structlog

from shared.infra.logging import configure_logging

STOP_WAIT_S: Final = 12.0  # children end by their own deadline (10 s); past this they are killed
QUICK_DEATH_S: Final = 10.0  # a child dying sooner than this after its start died "at once"
CRASH_LOOP_DEATHS: Final = 5  # this many quick deaths in a row: a crash loop, the fleet stops
RESTART_PAUSE_S: Final = 0.5  # times the quick deaths in a row, before a replacement starts
STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

log = structlog.get_logger(__name__)


@dataclass
class Child:
    """One worker process and when it started."""

    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


@dataclass
class Fleet:
    """The worker processes of one `hopsync worker`, kept at ``processes``."""

    module: str
    processes: int
    threads: int
    children: list[Child] = field(default_factory=list)
    quick_deaths: int = 0
    stop_requested: threading.Event = field(default_factory=threading.Event)

    def run(self) -> int:
        """Serve until asked to stop (0) or until a crash loop (1)."""
        self.children = [self.start_child() for _ in range(self.processes)]
        log.info("worker fleet started", processes=self.processes, threads=self.threads)
        while not self.stop_requested.wait(0.2):
            for index, child in enumerate(self.children):
                code = child.process.poll()
                if code is None:
                    continue
                if not self.replace(index, child, code):
                    self.stop()
                    return 1
        self.stop()
        return 0

    def start_child(self) -> Child:
        """Start one worker process in this process group (a group signal reaches it too)."""
        command = [sys.executable, "-m", "workers.fleet_child", self.module]
        process = subprocess.Popen([*command, "--threads", str(self.threads)])
        return Child(process)

    def replace(self, index: int, child: Child, code: int) -> bool:
        """Start a replacement for a dead child; False when children keep dying at once."""
        lived = time.monotonic() - child.started
        self.quick_deaths = self.quick_deaths + 1 if lived < QUICK_DEATH_S else 0
        how = describe_exit(code)
        if self.quick_deaths >= CRASH_LOOP_DEATHS:
            message = (
                f"worker processes keep dying right after they start ({self.quick_deaths} in a "
                f"row, the last {how}); the fleet stops: see the log above for why"
            )
            log.error("worker fleet crash loop", why=message)
            print(f"hopsync worker: {message}", file=sys.stderr, flush=True)
            return False
        log.warning(
            "worker process died; starting a replacement",
            pid=child.process.pid,
            exit=how,
            lived_s=round(lived, 1),
        )
        if self.quick_deaths:
            time.sleep(RESTART_PAUSE_S * self.quick_deaths)
        self.children[index] = self.start_child()
        return True

    def stop(self) -> None:
        """Signal every child once, wait for them up to STOP_WAIT_S, kill what is left."""
        alive = [child.process for child in self.children if child.process.poll() is None]
        log.info("worker fleet stopping", processes=len(alive))
        for process in alive:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for process in alive:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker process did not stop in time; killed", pid=process.pid)
                _signal(process, signal.SIGKILL)
                process.wait()
        log.info("worker fleet stopped")


def describe_exit(code: int) -> str:
    """``killed by SIGKILL`` or ``exited with code 2``."""
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def _signal(process: subprocess.Popen[bytes], number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        process.send_signal(number)


def serve_metrics_in_background() -> None:
    """Serve the fleet's metrics from this process, unless `--metrics-port 0` turned them off."""
    if os.environ.get("dramatiq_prom_port") == "0":  # noqa: SIM112 (Dramatiq's name)
        return
    from workers.middleware.fleet_metrics import serve_fleet_metrics

    threading.Thread(target=serve_fleet_metrics, name="fleet-metrics", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the fleet's command line, then supervise it until it is asked to stop."""
    parser = argparse.ArgumentParser(prog="workers.fleet_main")
    parser.add_argument("module")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--skip-logging", action="store_true", help="(kept for compatibility)")
    args = parser.parse_args(argv)
    configure_logging()
    fleet = Fleet(args.module, max(1, args.processes), max(1, args.threads))
    for stop_signal in STOP_SIGNALS:  # repeated signals change nothing: the stop is under way
        signal.signal(stop_signal, lambda *_: fleet.stop_requested.set())
    serve_metrics_in_background()
    return fleet.run()


if __name__ == "__main__":
    sys.exit(main())
