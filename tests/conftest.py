"""Fixtures shared by the whole suite: a clean Redis, and the simulators on loopback ports."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import redis

REAL_REDIS_URL = os.environ.get("HOPSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _real_redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis URL: the real server when it answers; under CI=true a missing one fails the test."""
    if _real_redis_answers(REAL_REDIS_URL):
        yield REAL_REDIS_URL
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis does not answer at {REAL_REDIS_URL}; CI requires a real Redis server")
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
    client.flushdb()
    try:
        yield redis_server_url
    finally:
        client.flushdb()
        client.close()
