"""The Dramatiq broker hopsync runs on: Redis, its middleware, and bulk enqueueing.

Redelivery after a worker dies depends on two settings: ``heartbeat_timeout`` (how long a silent
worker is presumed alive) and ``maintenance_chance`` (how often, per million broker commands, a
command also requeues the unacked messages of dead workers). Dramatiq's defaults (60 s and 1,000)
make recovery take minutes on a quiet queue; hopsync uses 15 s and 50,000 (5%), so messages of a
killed worker are back on the queue within seconds while the run is busy.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    CurrentMessage,
    Middleware,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from config.settings import WorkerConfig
from shared import constants
from shared.errors import ApiError, BrokerUnavailableError, HopsyncError

MAINTENANCE_CHANCE = 50_000


class HopsyncBroker(RedisBroker):
    """Dramatiq's Redis broker, plus enqueueing many messages in one round trip."""

    def enqueue_many(self, messages: Sequence[dramatiq.Message[Any]], chunk: int = 500) -> int:
        """Enqueue messages through Redis pipelines; returns how many were enqueued.

        Each message goes through the same dispatch script and middleware hooks as ``enqueue``;
        only the round trips are shared.
        """
        dispatch = self.scripts["dispatch"]
        count = 0
        for start in range(0, len(messages), chunk):
            batch = [self._prepared(message) for message in messages[start : start + chunk]]
            with self.client.pipeline(transaction=False) as pipe:
                for message in batch:
                    self.emit_before("enqueue", message, None)
                    args = self._dispatch_args("enqueue", message)
                    dispatch(keys=[self.namespace], args=args, client=pipe)
                pipe.execute()
            for message in batch:
                self.emit_after("enqueue", message, None)
            count += len(batch)
        return count

    def _prepared(self, message: dramatiq.Message[Any]) -> dramatiq.Message[Any]:
        self.declare_queue(message.queue_name)
        return message.copy(options={"redis_message_id": str(uuid.uuid4())})

    def _dispatch_args(self, command: str, message: dramatiq.Message[Any]) -> list[Any]:
        # The argument layout of dramatiq's dispatch.lua, as its own _dispatch builds it.
        return [
            command,
            current_millis(),
            message.queue_name,
            self.broker_id,
            self.heartbeat_timeout,
            self.dead_message_ttl,
            self._should_do_maintenance(command),
            self._max_unpack_size(),  # type: ignore[no-untyped-call]
            message.options["redis_message_id"],
            message.encode(),
        ]


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
    early_middleware: Sequence[Middleware] = (),
) -> HopsyncBroker:
    """A broker on Redis (by URL or client) with hopsync's middleware, not yet installed."""
    worker = settings or WorkerConfig()
    middleware: list[Middleware] = [
        AgeLimit(),
        TimeLimit(time_limit=worker.time_limit_ms),
        ShutdownNotifications(),
        Retries(
            max_retries=worker.max_retries,
            min_backoff=worker.min_backoff_ms,
            max_backoff=worker.max_backoff_ms,
            retry_when=lambda retries, error: should_retry(retries, error, worker.max_retries),
        ),
        CurrentMessage(),
        *early_middleware,  # their after_worker_shutdown runs while the event loop still does
        AsyncIO(),
        *extra_middleware,
    ]
    broker = HopsyncBroker(  # type: ignore[no-untyped-call]
        url=url if client is None else None,
        client=client,
        namespace=constants.DRAMATIQ_NAMESPACE,
        middleware=middleware,
        heartbeat_timeout=worker.heartbeat_timeout_ms,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    for queue in (constants.SYNC_QUEUE, constants.RUNS_QUEUE, constants.NOTIFY_QUEUE):
        broker.declare_queue(queue)
    return broker
