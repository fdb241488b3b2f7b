"""A benchmark stopped by SIGTERM (a `timeout`, a `kill`, the end of a CI job) stops what it
started, as it does on Ctrl-C.

Its worker fleet runs in a session of its own, so that Ctrl-C in the terminal reaches only the
benchmark, which stops the fleet in a ``finally`` block. SIGTERM ended the benchmark at once and
left the fleet running, consuming from the benchmark's Redis database: the next benchmark on that
database shared its queues with workers of a run long gone (found when a sweep that had been
killed left three fleets behind, and the next runs each had 20 people fail). SIGTERM is now
turned into ``SystemExit`` in the main thread, so the same ``finally`` blocks run.
"""

from __future__ import annotations

import signal
from types import FrameType


def exit_on_sigterm() -> None:
    """From now on, SIGTERM raises SystemExit(143) in the main thread."""
    signal.signal(signal.SIGTERM, _exit)


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
