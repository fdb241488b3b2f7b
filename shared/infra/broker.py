"""The Dramatiq broker hopsync runs on: Redis, its middleware, and bulk enqueueing.

Redelivery after a worker dies depends on two settings: ``heartbeat_timeout`` (how long a silent
worker is presumed alive) and ``maintenance_chance`` (how often, per million broker commands, a
command also requeues the unacked messages of dead workers). Dramatiq's defaults (60 s and 1,000)
make recovery take minutes on a quiet queue; hopsync uses 15 s and 50,000 (5%), so messages of a
killed worker are back on the queue within seconds while the run is busy.

A Redis restart is ridden out in two layers. The clients hopsync's workers hold retry a failed
command with backoff for about 19 s (shared/infra/redis_client.py), so a short outage only slows
them down. A longer one fails the running messages; their retries are then enqueued by
``DurableRetries``, which waits for Redis instead of dropping the retry as Dramatiq's Retries does.

The broker class (``HopsyncBroker``) and ``DurableRetries`` live in
shared/infra/dramatiq_coupling.py, the one module that relies on Dramatiq's internals; this one
uses its public API only.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis
import structlog
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    CurrentMessage,
    Middleware,
    ShutdownNotifications,
    TimeLimit,
)

from config.settings import WorkerConfig
from shared import constants
from shared.errors import ApiError, BrokerUnavailableError, HopsyncError
from shared.infra.dramatiq_coupling import DurableRetries
from shared.infra.dramatiq_coupling import HopsyncBroker as HopsyncBroker
from shared.infra.redis_client import connect_redis

MAINTENANCE_CHANCE = 50_000

log = structlog.get_logger(__name__)


def should_retry(retries: int, error: BaseException, max_retries: int) -> bool:
    """Retry transient failures up to the limit; fail permanent API errors at once."""
    if isinstance(error, ApiError) and not error.retryable:
        return False
    retryable = (ApiError, BrokerUnavailableError)  # Redis or an API may be back in a moment
    if isinstance(error, HopsyncError) and not isinstance(error, retryable):
        return False
    return retries < max_retries


def build_broker(
    *,
    url: str | None = None,
    client: redis.Redis | None = None,
    settings: WorkerConfig | None = None,
    extra_middleware: Sequence[Middleware] = (),
    loop_middleware: Sequence[Middleware] = (),
) -> HopsyncBroker:
    """A broker on Redis (by URL or client) with hopsync's middleware, not yet installed.

    A client made from ``url`` retries through a short Redis outage (``connect_redis``).
    """
    worker = settings or WorkerConfig()
    middleware: list[Middleware] = [
        AgeLimit(),
        TimeLimit(time_limit=worker.time_limit_ms),
        ShutdownNotifications(),
        DurableRetries(
            max_retries=worker.max_retries,
            min_backoff=worker.min_backoff_ms,
            max_backoff=worker.max_backoff_ms,
            retry_when=lambda retries, error: should_retry(retries, error, worker.max_retries),
        ),
        CurrentMessage(),
        AsyncIO(),
        # Dramatiq runs after_ hooks in reverse order: placed after AsyncIO, their
        # after_worker_shutdown runs while its event loop still does.
        *loop_middleware,
        *extra_middleware,
    ]
    if client is None and url is not None:
        client = connect_redis(url)
    broker = HopsyncBroker(
        client=client,
        namespace=constants.DRAMATIQ_NAMESPACE,
        middleware=middleware,
        heartbeat_timeout=worker.heartbeat_timeout_ms,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    for queue in (constants.SYNC_QUEUE, constants.RUNS_QUEUE, constants.NOTIFY_QUEUE):
        broker.declare_queue(queue)
    return broker
