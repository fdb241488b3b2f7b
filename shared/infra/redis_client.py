"""The one way hopsync connects to Redis: clients that retry a failed command with backoff.

A Redis restart is ridden out in two layers. The clients of long-lived processes (workers, the
webhook's flusher) retry a failed command for about 19 s (``REDIS_RETRIES``), so a short outage
only slows them down; the broker's ``DurableRetries`` covers a longer one. A command an operator
types retries for about 2 s (``COMMAND_RETRIES``): it rides a blip, and says at once that Redis
is down when it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, TypeVar

import redis
import redis.asyncio as aioredis
import structlog
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

REDIS_RETRIES: Final = 40  # with the backoff below: about 19 s of retrying before an error
COMMAND_RETRIES: Final = 6  # about 2 s: what an operator's command waits for
REDIS_BACKOFF_CAP_S: Final = 0.5
REDIS_BACKOFF_BASE_S: Final = 0.05
REDIS_DOWN: Final = (redis.ConnectionError, redis.TimeoutError)  # BusyLoadingError is one too

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _backoff() -> ExponentialBackoff:
    return ExponentialBackoff(REDIS_BACKOFF_CAP_S, REDIS_BACKOFF_BASE_S)


def redis_retry(retries: int = REDIS_RETRIES) -> Retry:
    """The retry policy of a client: ride out a Redis restart of a few seconds."""
    return Retry(_backoff(), retries)


def connect_redis(
    url: str,
    *,
    retries: int = REDIS_RETRIES,
    socket_timeout: float | None = None,
    socket_connect_timeout: float | None = None,
) -> redis.Redis:
    """A Redis client whose commands retry through a short outage (see ``redis_retry``).

    The socket timeouts bound one try (redis-py's defaults when not given): a process holding a
    lease (the scheduler, the flusher) sets them so that a command stuck on a dead Redis does not
    outlive the lease.
    """
    timeouts = {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_connect_timeout}
    given = {name: seconds for name, seconds in timeouts.items() if seconds is not None}
    return redis.Redis.from_url(url, retry=redis_retry(retries), **given)


def connect_async_redis(url: str, *, retries: int = REDIS_RETRIES) -> aioredis.Redis:
    """The asyncio counterpart of ``connect_redis``."""
    return aioredis.Redis.from_url(url, retry=AsyncRetry(_backoff(), retries))


def wait_for_redis(action: Callable[[], T], what: str) -> T:
    """Run ``action`` until Redis lets it complete; for writes that must not be dropped.

    Dramatiq itself retries an ack this way for as long as Redis is away; a worker stopped
    meanwhile leaves its message unacked, and so redelivered, which loses nothing.
    """
    failures = 0
    while True:
        try:
            return action()
        except REDIS_DOWN as error:
            failures = min(failures + 1, 10)
            log.warning("Redis unavailable; waiting for it", what=what, error=str(error))
            time.sleep(min(REDIS_BACKOFF_CAP_S, REDIS_BACKOFF_BASE_S * 2**failures))
