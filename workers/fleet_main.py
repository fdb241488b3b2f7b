"""`python -m workers.fleet_main ARGS`: Dramatiq's command line, logging in hopsync's format.

Run with ``--skip-logging`` (shared.worker_launch adds it), Dramatiq leaves logging alone, so
its main process, its worker processes and its fork process all print through hopsync's
structlog set-up (level ``$HOPSYNC_LOG``, format ``$HOPSYNC_LOG_FORMAT``) instead of a format of
their own.
"""

from __future__ import annotations

import sys

from dramatiq import cli

from shared.logging import configure_logging


def main() -> int:
    """Configure logging, then run Dramatiq's CLI with this process's arguments."""
    configure_logging()
    return int(cli.main() or 0)  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    sys.exit(main())
