"""Redis's own figures from INFO, or None on an embedded Redis (fakeredis has no INFO command).

A figure the server cannot report is printed as missing, never as zero.
"""

from __future__ import annotations

from typing import Any

import redis


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
