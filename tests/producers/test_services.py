"""The long-running services side by side: each says at start what it is, where it listens and
which Redis it uses (password hidden), in one JSON format off a terminal, and a metrics port in
use costs one warning line while the service runs on."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.world import Simulation, free_port, start_simulation

START_WAIT_S = 20


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path / "sim", redis_url, people=5)
    yield simulation
    simulation.close()


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


class Service:
    """`hopsync ARGS` as a child process whose standard error is a file (not a terminal)."""

    def __init__(self, sim: Simulation, log: Path, *args: str, **env: str) -> None:
        self.log = log
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOPSYNC_LOG")}
        environment = {**inherited, **sim.env, **env}
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "producers.cli", *args],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=out,
                start_new_session=True,
            )

    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def wait_for(self, event: str) -> list[dict[str, object]]:
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            lines = self.lines()
            if any(event in str(line["event"]) for line in lines):
                return lines
            time.sleep(0.1)
        raise AssertionError(f"no {event!r} line:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def start_line(lines: list[dict[str, object]], service: str) -> dict[str, object]:
    [line] = [line for line in lines if line["event"] == f"{service} starting"]
    return line


def test_webhook_and_scheduler_start_beside_a_taken_metrics_port_with_one_warning_each(
    sim: Simulation, tmp_path: Path, busy_port: int
) -> None:
    webhook = Service(
        sim,
        tmp_path / "webhook.log",
        "webhook",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        "--metrics-port",
        str(busy_port),
    )
    scheduler = Service(
        sim, tmp_path / "scheduler.log", "scheduler", "--metrics-port", str(busy_port)
    )
    try:
        for service, name in ((webhook, "webhook"), (scheduler, "scheduler")):
            lines = service.wait_for("metrics not served")
            line = start_line(lines, name)
            assert line["level"] == "info"
            assert line["config"] == "configuration version 1"  # the file, saved in Redis
            assert line["redis"] == sim.env["REDIS_URL"]
            assert "config_version" in line
            warnings = [line for line in lines if line["level"] == "warning"]
            assert len(warnings) == 1, lines
            assert f"port {busy_port}" in str(warnings[0]["event"])
            assert "Traceback" not in service.log.read_text()
        time.sleep(1)
        assert webhook.process.poll() is None and scheduler.process.poll() is None
    finally:
        webhook.stop()
        scheduler.stop()


def test_the_start_line_hides_the_redis_password(sim: Simulation, tmp_path: Path) -> None:
    url = sim.env["REDIS_URL"]
    with_password = url.replace("redis://", "redis://:not-for-logs@")
    scheduler = Service(
        sim,
        tmp_path / "scheduler.log",
        "scheduler",
        "--metrics-port",
        "0",
        REDIS_URL=with_password,
    )
    try:
        deadline = time.monotonic() + START_WAIT_S
        while "scheduler starting" not in scheduler.log.read_text():
            assert time.monotonic() < deadline, scheduler.log.read_text()
            time.sleep(0.1)
    finally:
        scheduler.stop()
    text = scheduler.log.read_text()
    assert "not-for-logs" not in text
    assert with_password.replace("not-for-logs", "***") in text


def test_the_worker_logs_its_start_and_dramatiqs_own_records_in_the_same_json_format(
    sim: Simulation, tmp_path: Path
) -> None:
    worker = Service(
        sim,
        tmp_path / "worker.log",
        "worker",
        "--processes",
        "1",
        "--threads",
        "2",
        "--metrics-port",
        str(free_port()),
    )
    try:
        lines = worker.wait_for("worker process ready")
    finally:
        worker.stop()
    start = start_line(lines, "worker")
    assert (start["processes"], start["threads"]) == (1, 2)
    assert start["redis"] == sim.env["REDIS_URL"]
    dramatiq_lines = [line for line in lines if str(line.get("logger", "")).startswith("dramatiq")]
    assert dramatiq_lines
    assert all({"event", "level", "timestamp"} <= set(line) for line in lines)


def test_hopsync_log_reaches_the_worker_processes(sim: Simulation, tmp_path: Path) -> None:
    worker = Service(
        sim,
        tmp_path / "worker.log",
        "worker",
        "--processes",
        "1",
        "--metrics-port",
        "0",
        HOPSYNC_LOG="DEBUG",
    )
    try:
        lines = worker.wait_for("worker process ready")
    finally:
        worker.stop()
    debug = {str(line.get("logger")) for line in lines if line["level"] == "debug"}
    assert any(name.startswith("dramatiq.worker") for name in debug), debug
