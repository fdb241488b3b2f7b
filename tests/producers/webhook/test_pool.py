"""The receiver's Redis pool: a burst queues for a few connections instead of failing."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from producers.live_queue import PERSON, Target
from producers.webhook import Intake, open_redis
from producers.webhook.app import REDIS_POOL_SIZE


def test_a_burst_of_many_more_events_than_connections_is_stored_whole(redis_url: str) -> None:
    async def burst() -> tuple[list[bool], aioredis.ConnectionPool]:
        connection = open_redis(redis_url)
        intake = Intake(connection)
        try:
            accepted = await asyncio.gather(
                *(intake.accept(Target(PERSON, f"p{n}"), 1.0, f"e{n}") for n in range(300))
            )
            return accepted, connection.connection_pool
        finally:
            await connection.aclose()

    accepted, pool = asyncio.run(burst())
    assert accepted == [True] * 300
    assert isinstance(pool, aioredis.BlockingConnectionPool)
    assert pool.max_connections == REDIS_POOL_SIZE <= 32
