"""The command line that starts hopsync's worker processes (used by `hopsync worker` and tests)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

# An idle Dramatiq consumer backs off up to this long between fetches (Dramatiq's default is 1 s):
# the first message of a run or a live event would wait for it. A few fetches a second per queue
# cost Redis nothing.
IDLE_POLL_MS = 200


def worker_env(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with Dramatiq's idle poll set to IDLE_POLL_MS, unless the operator set it."""
    return {"dramatiq_worker_timeout": str(IDLE_POLL_MS), **base}


def worker_command(processes: int, threads: int) -> list[str]:
    """Dramatiq's CLI on workers.entry, with this interpreter."""
    return [
        sys.executable,
        "-m",
        "dramatiq",
        "workers.entry",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
