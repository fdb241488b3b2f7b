"""The worker command line and environment, and the fleet's metrics."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from dramatiq.middleware import prometheus

from shared.infra.logging import configure_logging
from shared.infra.worker_launch import (
    IDLE_POLL_MS,
    METRICS_DIR_PREFIX,
    fleet_metrics_env,
    worker_command,
    worker_env,
)
from workers.middleware.fleet_metrics import serve_fleet_metrics


def test_the_command_runs_dramatiq_on_the_entry_module_with_this_interpreter() -> None:
    command = worker_command(2, 8)
    assert command[0] == sys.executable
    assert command[1:] == [
        "-m",
        "workers.fleet_main",
        "workers.entry",
        "--skip-logging",
        "--processes",
        "2",
        "--threads",
        "8",
    ]


def test_each_fleet_counts_in_a_metrics_directory_of_its_own(tmp_path: Path) -> None:
    first = fleet_metrics_env(9108, root=tmp_path, pid=os.getpid())
    second = fleet_metrics_env(9108, root=tmp_path, pid=os.getppid())  # both running
    assert first["dramatiq_prom_db"] != second["dramatiq_prom_db"]
    assert Path(first["dramatiq_prom_db"]).is_dir()
    assert first["dramatiq_prom_port"] == "9108"


def test_the_directories_of_fleets_no_longer_running_are_removed(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = tmp_path / f"{METRICS_DIR_PREFIX}{gone.stdout.strip()}"
    stale.mkdir()
    (stale / "counter_1.db").write_bytes(b"old counts")
    fleet_metrics_env(9108, root=tmp_path, pid=1)
    assert not stale.exists()
    assert (tmp_path / f"{METRICS_DIR_PREFIX}1").is_dir()


def test_metrics_port_zero_turns_the_fleets_metrics_off(tmp_path: Path) -> None:
    assert fleet_metrics_env(0, root=tmp_path) == {"dramatiq_prom_port": "0"}
    assert list(tmp_path.iterdir()) == []


def test_the_fleets_metrics_server_on_a_port_in_use_warns_once_and_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        monkeypatch.setattr(prometheus, "HTTP_HOST", "127.0.0.1")
        monkeypatch.setattr(prometheus, "HTTP_PORT", port)
        stream = io.StringIO()
        with redirect_stderr(stream):
            configure_logging(json=False, level="INFO")
            assert serve_fleet_metrics() == 0
    [line] = stream.getvalue().splitlines()
    assert f"worker: metrics not served on port {port}" in line


def test_idle_workers_poll_every_fifth_of_a_second_by_default() -> None:
    env = worker_env({"HOPSYNC_CONFIG": "x.yaml"})
    assert env == {"dramatiq_worker_timeout": str(IDLE_POLL_MS), "HOPSYNC_CONFIG": "x.yaml"}
    assert IDLE_POLL_MS == 200


def test_an_operator_setting_of_the_idle_poll_wins() -> None:
    assert worker_env({"dramatiq_worker_timeout": "1000"})["dramatiq_worker_timeout"] == "1000"
