"""One worker process of a fleet (`python -m workers.fleet_child MODULE --threads N`).

Started by the fleet's supervisor (workers.fleet_main). It imports MODULE (workers.entry), which
installs the broker and declares the actors, then runs Dramatiq's Worker until it is asked to
stop. A stop signal is idempotent: systemd signals every process of the group and the supervisor
signals its children as well, so a child may get SIGTERM twice and must not hang on the second.

A stop lets running messages finish for up to STOP_JOIN_MS, and the process ends by
STOP_DEADLINE_S whatever happens (Redis down, a thread stuck): a message not acknowledged by then
stays in Redis's list of unacknowledged messages and is delivered again after the heartbeat
timeout, so nothing is lost. A child whose supervisor vanished (kill -9) stops by itself.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, Final

import dramatiq
import structlog

from shared.infra.logging import configure_logging

STOP_JOIN_MS: Final = 7000  # running messages may finish this long after a stop signal
STOP_DEADLINE_S: Final = 10.0  # the process is gone this long after a stop signal, always
STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

log = structlog.get_logger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one worker process until a stop signal (or the supervisor's death); returns 0."""
    parser = argparse.ArgumentParser(prog="workers.fleet_child")
    parser.add_argument("module")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    configure_logging()
    stopping = threading.Event()
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, lambda *_: stopping.set())
    parent = os.getppid()
    worker, broker = start_worker(args.module, args.threads)
    log.info("worker process ready", pid=os.getpid(), threads=args.threads)
    while not stopping.wait(1.0):
        if os.getppid() != parent:
            log.warning("the fleet's supervisor is gone; this worker process stops")
            break
    stop_worker(worker, broker)
    return 0


def start_worker(module: str, threads: int) -> tuple[dramatiq.Worker, dramatiq.Broker]:
    """Import the module that sets the broker up, then start Dramatiq's worker threads."""
    imported: Any = importlib.import_module(module)
    broker: dramatiq.Broker = getattr(imported, "broker", None) or dramatiq.get_broker()
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    return worker, broker


def stop_worker(worker: dramatiq.Worker, broker: dramatiq.Broker) -> None:
    """Stop gracefully, within STOP_DEADLINE_S at the latest, then end the process."""
    deadline = threading.Timer(STOP_DEADLINE_S, _stop_now, args=("stop took too long",))
    deadline.daemon = True
    deadline.start()
    log.info("worker process stopping", pid=os.getpid())
    worker.stop(timeout=STOP_JOIN_MS)
    broker.close()
    _stop_now("")


def _stop_now(reason: str) -> None:
    if reason:
        log.warning("worker process ends now; unacknowledged messages are redelivered", why=reason)
    else:
        log.info("worker process stopped", pid=os.getpid())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # Dramatiq's threads (some maybe waiting for Redis) end with the process


if __name__ == "__main__":
    sys.exit(main())
