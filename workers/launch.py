"""The command line that starts hopsync's worker processes (used by `hopsync worker` and tests)."""

from __future__ import annotations

import sys


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
