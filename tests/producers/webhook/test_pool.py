"""The receiver's Redis pool: a burst queues for a few connections instead of failing."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from producers.live.queue import PERSON, Target
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


def test_events_arriving_together_are_written_in_a_few_round_trips(redis_url: str) -> None:
    async def burst() -> tuple[list[bool], int]:
        connection = open_redis(redis_url)
        intake = Intake(connection)
        pipelines = 0
        make_pipeline = connection.pipeline

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal pipelines
            pipelines += 1
            return make_pipeline(*args, **kwargs)  # type: ignore[arg-type]

        connection.pipeline = counted  # type: ignore[method-assign]
        try:
            events = [intake.accept(Target(PERSON, f"q{n}"), 1.0, f"burst{n}") for n in range(200)]
            again = intake.accept(Target(PERSON, "q0"), 1.0, "burst0")
            accepted = await asyncio.gather(*events, again)
            return accepted, pipelines
        finally:
            await connection.aclose()

    accepted, pipelines = asyncio.run(burst())
    assert accepted == [True] * 200 + [False]  # the repeat in the same batch is still a duplicate
    assert 1 <= pipelines <= 3


def test_a_request_cancelled_while_its_batch_is_written_leaves_the_others_answered(
    redis_url: str,
) -> None:
    async def scenario() -> list[bool]:
        connection = open_redis(redis_url)
        intake = Intake(connection)
        try:
            doomed = asyncio.ensure_future(intake.accept(Target(PERSON, "c0"), 1.0, "cancel0"))
            others = [intake.accept(Target(PERSON, f"c{n}"), 1.0, f"cancel{n}") for n in (1, 2)]
            await asyncio.sleep(0)
            doomed.cancel()
            return list(await asyncio.gather(*others))
        finally:
            await connection.aclose()

    assert asyncio.run(scenario()) == [True, True]
