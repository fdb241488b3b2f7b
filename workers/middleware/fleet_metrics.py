"""Dramatiq's Prometheus middleware with an exposition server that never crashes the fleet.

Dramatiq forks one process that serves every worker process's metrics from a directory of
prometheus_client files (``dramatiq_prom_db``; `hopsync worker` gives each fleet its own, see
shared.infra.worker_launch). Dramatiq's own server prints a traceback when its port is taken; this
one says so in one warning line, and the workers run on without metrics.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from dramatiq.middleware import prometheus

from shared.infra.metrics import port_in_use_warning


class FleetPrometheus(prometheus.Prometheus):
    """Dramatiq's message metrics, served by ``serve_fleet_metrics``."""

    @property
    def forks(self) -> list[Callable[[], Any]]:
        """The function Dramatiq runs in its fork process."""
        return [serve_fleet_metrics]


class _FleetMetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        # Imported here: prometheus_client picks its storage from the environment on import.
        import prometheus_client as prom
        from prometheus_client import multiprocess

        registry = prom.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=prometheus.DB_PATH)  # type: ignore[no-untyped-call]
        body = prom.generate_latest(registry)
        self.send_response(200)
        self.send_header("content-type", prom.CONTENT_TYPE_LATEST)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not worth a line each."""


def serve_fleet_metrics() -> int:
    """Serve the fleet's metrics on $dramatiq_prom_host:$dramatiq_prom_port until stopped."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = prometheus.DB_PATH
    try:
        server = HTTPServer((prometheus.HTTP_HOST, prometheus.HTTP_PORT), _FleetMetricsHandler)
    except OSError as error:
        port_in_use_warning("worker", prometheus.HTTP_PORT, error)
        return 0
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()
    return 0
