"""The worker command line and environment."""

from __future__ import annotations

import sys

from workers.launch import IDLE_POLL_MS, worker_command, worker_env


def test_the_command_runs_dramatiq_on_the_entry_module_with_this_interpreter() -> None:
    command = worker_command(2, 8)
    assert command[0] == sys.executable
    assert command[1:] == ["-m", "dramatiq", "workers.entry", "--processes", "2", "--threads", "8"]


def test_idle_workers_poll_every_fifth_of_a_second_by_default() -> None:
    env = worker_env({"HOPSYNC_CONFIG": "x.yaml"})
    assert env == {"dramatiq_worker_timeout": str(IDLE_POLL_MS), "HOPSYNC_CONFIG": "x.yaml"}
    assert IDLE_POLL_MS == 200


def test_an_operator_setting_of_the_idle_poll_wins() -> None:
    assert worker_env({"dramatiq_worker_timeout": "1000"})["dramatiq_worker_timeout"] == "1000"
