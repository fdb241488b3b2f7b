"""The benchmarks' Redis: reached before anything starts, and its own figures from INFO.

A figure the server cannot report (an embedded Redis: fakeredis has no INFO command) is printed
as missing, never as zero.
"""

from __future__ import annotations

import sys
from typing import Any

import redis

from shared.infra.redis_client import REDIS_DOWN


def reachable_redis(url: str) -> redis.Redis:
    """A client of the Redis at ``url``; exits with a clear message (status 1) if none answers."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except REDIS_DOWN as error:
        bench = sys.argv[0].rsplit("/", 1)[-1] or "bench"
        raise SystemExit(
            f"{bench}: Redis at {url} cannot be reached\n  ({error}).\n"
            "  Start one (redis-server --port 6379) or pass --redis-url; the benchmark\n"
            "  flushes that database first, so give it one nothing else uses."
        ) from None
    return client


def redis_info(client: redis.Redis, section: str) -> dict[str, Any] | None:
    """A section of Redis's INFO; None when the server has no INFO command."""
    try:
        return dict(client.info(section))
    except redis.ResponseError:
        return None


def redis_cpu(client: redis.Redis) -> float | None:
    """Redis's own user + system CPU seconds."""
    info = redis_info(client, "cpu")
    if info is None:
        return None
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def redis_memory(client: redis.Redis) -> int | None:
    """The bytes Redis uses."""
    info = redis_info(client, "memory")
    return None if info is None else int(info["used_memory"])
