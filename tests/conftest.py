"""Fixtures shared by the whole suite: a clean Redis, and the simulators on loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from sim import embedded_redis

REAL_REDIS = os.environ.get("HOPSYNC_TEST_REDIS", "redis://127.0.0.1:6379")
CLAIM_KEY = "hopsync-test-session"
BENCH_DATABASES = frozenset({12, 13, 14})  # flushed by bench/ resync, live and peer runs


def _real_redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _claim_database(base: str) -> tuple[str, redis.Redis]:
    """A database no other test session uses right now (sessions may run side by side).

    Claims are keys in database 0, so the claimed database itself starts and stays empty.
    """
    claims = redis.Redis.from_url(f"{base}/0")
    for number in (n for n in range(1, 16) if n not in BENCH_DATABASES):
        if claims.set(f"{CLAIM_KEY}:{number}", os.getpid(), nx=True, ex=3600):
            return f"{base}/{number}", claims
    pytest.fail(f"every Redis database 1-15 at {base} is claimed by another test session")


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis URL: the real server when it answers; under CI=true a missing one fails the test."""
    if _real_redis_answers(REAL_REDIS):
        url, claims = _claim_database(REAL_REDIS)
        yield url
        redis.Redis.from_url(url).flushdb()
        claims.delete(f"{CLAIM_KEY}:{url.rsplit('/', 1)[1]}")
        claims.close()
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis does not answer at {REAL_REDIS}; CI requires a real Redis server")
    with embedded_redis.serving() as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """The URL of an empty Redis database, flushed before and after the test."""
    client = redis.Redis.from_url(redis_server_url)
    client.flushdb()
    try:
        yield redis_server_url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A Redis client on the test's empty database."""
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Undo any logging set-up a test (or a CLI command it ran) made, so tests stay independent."""
    yield
    import logging

    import structlog

    structlog.reset_defaults()
    logging.getLogger().handlers.clear()
