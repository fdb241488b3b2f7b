"""Fixtures shared by the whole suite: a clean Redis, and the simulators on loopback ports."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import redis

REAL_REDIS = os.environ.get("HOPSYNC_TEST_REDIS", "redis://127.0.0.1:6379")
CLAIM_KEY = "hopsync-test-session"


def _real_redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _claim_database(base: str) -> tuple[str, redis.Redis]:
    """A database no other test session uses right now (sessions may run side by side)."""
    for number in (n for n in range(1, 16) if n != 12):  # 12: the benchmarks
        client = redis.Redis.from_url(f"{base}/{number}")
        if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
            return f"{base}/{number}", client
        client.close()
    pytest.fail(f"every Redis database 1-15 at {base} is claimed by another test session")


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis URL: the real server when it answers; under CI=true a missing one fails the test."""
    if _real_redis_answers(REAL_REDIS):
        url, claim = _claim_database(REAL_REDIS)
        yield url
        claim.flushdb()
        claim.close()
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis does not answer at {REAL_REDIS}; CI requires a real Redis server")
    from fakeredis import TcpFakeServer

    server = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"redis://{host}:{port}/0"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """The URL of an empty Redis database, flushed before and after the test."""
    client = redis.Redis.from_url(redis_server_url)
    _flush_keeping_claim(client)
    try:
        yield redis_server_url
    finally:
        _flush_keeping_claim(client)
        client.close()


def _flush_keeping_claim(client: redis.Redis) -> None:
    claim = client.get(CLAIM_KEY)
    client.flushdb()
    if claim is not None:
        client.set(CLAIM_KEY, claim, ex=3600)
