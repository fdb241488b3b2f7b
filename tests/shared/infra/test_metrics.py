"""Serving metrics never stops a service: a port in use or 0 leaves it running without them."""

from __future__ import annotations

import io
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import redirect_stderr

import pytest

from shared.infra.logging import configure_logging
from shared.infra.metrics import DEFAULT_PORTS, serve_metrics


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def test_each_kind_of_service_has_its_own_default_port() -> None:
    assert len(set(DEFAULT_PORTS.values())) == len(DEFAULT_PORTS) == 3


def test_a_port_in_use_is_one_warning_line_and_no_traceback(busy_port: int) -> None:
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging(json=False, level="INFO")
        assert serve_metrics("scheduler", busy_port) is False
    [line] = stream.getvalue().splitlines()
    assert "warning" in line
    assert f"scheduler: metrics not served on port {busy_port}" in line
    assert "--metrics-port" in line
    assert "Traceback" not in stream.getvalue()


def test_port_zero_serves_nothing_and_says_so() -> None:
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging(json=False, level="INFO")
        assert serve_metrics("webhook", 0) is False
    assert "webhook: metrics off" in stream.getvalue()


def test_a_free_port_serves_the_metrics() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    assert serve_metrics("webhook", port, host="127.0.0.1") is True
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert answer.status == 200
