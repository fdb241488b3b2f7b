"""The fleet supervisor: a crash loop is reported and ends the fleet; exits are told in words."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from workers import fleet_main
from workers.fleet_main import describe_exit


def test_children_dying_at_once_are_a_crash_loop_that_stops_the_fleet_with_exit_1() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "workers.fleet_main", "no_such_module", "--processes", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOPSYNC_LOG": "WARNING"},
    )
    assert done.returncode == 1, done.stderr
    assert "worker processes keep dying right after they start" in done.stderr
    assert f"{fleet_main.CRASH_LOOP_DEATHS} in a row, the last exited with code 1" in done.stderr
    assert time.monotonic() - started < 60


def test_an_exit_is_told_in_words() -> None:
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(2) == "exited with code 2"
