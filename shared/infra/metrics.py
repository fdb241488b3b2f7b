"""Prometheus metrics of hopsync's own work (Dramatiq's middleware counts the messages).

Worker processes share one exposition through prometheus_client's multiprocess mode, set up by
Dramatiq's Prometheus middleware; so the metrics are created lazily, after it has set the
directory, and Okta's counters are carried over from the client as deltas.

Each kind of service has its own default port (``DEFAULT_PORTS``), so a worker, a webhook
receiver and a scheduler run side by side on one host; ``--metrics-port`` (or
``$HOPSYNC_METRICS_PORT``) chooses another and 0 turns metrics off. A port already in use costs
one warning line: the service runs on without metrics.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import structlog

from shared.okta import OktaCounters

if TYPE_CHECKING:
    import prometheus_client as prom

METRICS_PORT_ENV: Final = "HOPSYNC_METRICS_PORT"
DEFAULT_PORTS: Final = {"worker": 9108, "webhook": 9109, "scheduler": 9110}

log = structlog.get_logger(__name__)


def port_in_use_warning(service: str, port: int, error: OSError) -> None:
    """The one line a service prints when it cannot serve its metrics, and runs on."""
    log.warning(
        f"{service}: metrics not served on port {port} ({error.strerror or error}); running "
        "without them. Choose a free port with --metrics-port N, or 0 to turn metrics off",
        service=service,
        port=port,
    )


def serve_metrics(service: str, port: int, host: str = "0.0.0.0") -> bool:
    """Serve this process's metrics on ``port`` (0: off); False when they are not served."""
    if port == 0:
        log.info(f"{service}: metrics off (--metrics-port 0)", service=service)
        return False
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host)
    except OSError as error:
        port_in_use_warning(service, port, error)
        return False
    log.info(f"{service}: metrics on :{port}/metrics", service=service, port=port)
    return True


@dataclass(frozen=True)
class Metrics:
    """hopsync's metrics, created once per process."""

    okta_calls: prom.Counter
    okta_rate_limited: prom.Counter
    okta_retries: prom.Counter
    okta_budget_remaining: prom.Gauge
    okta_parked: prom.Counter
    run_duration: prom.Histogram
    run_outcomes: prom.Counter
    webhook_requests: prom.Counter


@cache
def metrics() -> Metrics:
    """The process's metrics (created on first use, after the multiprocess directory is set)."""
    # Imported here: prometheus_client picks its storage (files or memory) when first imported.
    import prometheus_client as prom

    return Metrics(
        okta_calls=prom.Counter(
            "hopsync_okta_calls", "Okta requests by bucket and HTTP status", ["bucket", "status"]
        ),
        okta_rate_limited=prom.Counter(
            "hopsync_okta_rate_limited", "Okta 429 answers by kind", ["kind"]
        ),
        okta_retries=prom.Counter("hopsync_okta_retries", "Okta retries by reason", ["reason"]),
        okta_budget_remaining=prom.Gauge(
            "hopsync_okta_budget_remaining",
            "Requests left in the bucket's current window",
            ["bucket"],
            multiprocess_mode="mostrecent",
        ),
        okta_parked=prom.Counter(
            "hopsync_okta_parked",
            "Messages put back until the next window of a spent Okta budget",
            ["bucket"],
        ),
        run_duration=prom.Histogram(
            "hopsync_run_duration_seconds",
            "Run wall time from creation to summary",
            ["kind"],
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
        ),
        run_outcomes=prom.Counter(
            "hopsync_run_outcomes", "Per-person outcomes by status", ["kind", "status"]
        ),
        webhook_requests=prom.Counter(
            "hopsync_webhook_requests", "Webhook requests by HTTP status", ["status"]
        ),
    )


class OktaCounterExport:
    """Carries an Okta client's plain counters into the Prometheus counters as deltas."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, int]] = Counter()
        self._limited: Counter[str] = Counter()
        self._retries: Counter[str] = Counter()

    def export(self, counters: OktaCounters) -> None:
        """Add what the client counted since the last export."""
        with self._lock:
            calls, limited = Counter(counters.calls), Counter(counters.rate_limited)
            retries = Counter(counters.retries)
            found = metrics()
            for (bucket, status), count in (calls - self._calls).items():
                found.okta_calls.labels(bucket=bucket, status=str(status)).inc(count)
            for kind, count in (limited - self._limited).items():
                found.okta_rate_limited.labels(kind=kind).inc(count)
            for reason, count in (retries - self._retries).items():
                found.okta_retries.labels(reason=reason).inc(count)
            self._calls, self._limited, self._retries = calls, limited, retries


def export_budget(readings: dict[str, Any]) -> None:
    """Set the budget gauge from {bucket: remaining} readings."""
    for bucket, remaining in readings.items():
        metrics().okta_budget_remaining.labels(bucket=bucket).set(float(remaining))
