"""The compose healthchecks' Python probes pass on a healthy answer and fail otherwise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared.infra.metrics import METRICS_PORT_ENV
from tests.deploy.files import load_compose

WEBHOOK_PORT_IN_PROBE = ":8080/"


def serving(path: str, status: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == path else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


@contextmanager
def http_server(path: str, status: int) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), serving(path, status))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def probe_code(service: str) -> str:
    test = load_compose()["services"][service]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], service
    return str(test[3])


def run_probe(code: str, metrics_port: int | None = None) -> int:
    environment = {key: value for key, value in os.environ.items() if key != METRICS_PORT_ENV}
    if metrics_port is not None:
        environment[METRICS_PORT_ENV] = str(metrics_port)
    finished = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, timeout=30
    )
    return finished.returncode


def test_the_metrics_probe_passes_while_metrics_are_served_on_the_configured_port() -> None:
    with http_server("/metrics", 200) as port:
        for service in ("worker", "scheduler"):
            assert run_probe(probe_code(service), metrics_port=port) == 0, service


def test_the_metrics_probe_fails_when_nothing_listens_on_the_metrics_port() -> None:
    assert run_probe(probe_code("worker"), metrics_port=closed_port()) != 0


def test_the_webhook_probe_passes_on_healthz_200_and_fails_on_503() -> None:
    code = probe_code("webhook")
    assert code.count(WEBHOOK_PORT_IN_PROBE) == 1
    with http_server("/healthz", 200) as healthy:
        assert run_probe(code.replace(WEBHOOK_PORT_IN_PROBE, f":{healthy}/")) == 0
    with http_server("/healthz", 503) as failing:
        assert run_probe(code.replace(WEBHOOK_PORT_IN_PROBE, f":{failing}/")) != 0


def test_a_simulator_probe_passes_only_while_its_port_accepts_connections() -> None:
    code = probe_code("okta-sim")
    command = load_compose()["services"]["okta-sim"]["command"]
    port_in_probe = f", {command[command.index('--port') + 1]})"
    assert code.count(port_in_probe) == 1
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert run_probe(code.replace(port_in_probe, f", {listener.getsockname()[1]})")) == 0
    assert run_probe(code.replace(port_in_probe, f", {closed_port()})")) != 0
