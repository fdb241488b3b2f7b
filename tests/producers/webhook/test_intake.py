"""The receiver's accept path: a batch of events arriving together costs one Redis round trip,
and nothing else on a request's path talks to Redis."""

from __future__ import annotations

import asyncio

import redis
import redis.asyncio as aioredis

from producers.live.queue import Target
from producers.webhook import create_app
from producers.webhook.intake import HOLD_SLACK_MS, Intake
from shared import constants
from sim.server import BackgroundServer
from tests.producers.live.support import FakeClock, loaded_config
from tests.producers.webhook.conftest import WebhookClient, person_event
from tests.redis_counting import Count, CountingAsyncConnection


async def accept_together(intake: Intake, first: int, count: int) -> list[bool]:
    events = (
        intake.accept(Target("person", f"p{n}"), 100.0 + n, f"event-{n}")
        for n in range(first, first + count)
    )
    return list(await asyncio.gather(*events))


def test_a_batch_of_events_costs_one_round_trip_even_after_redis_lost_the_script(
    redis_url: str, client: redis.Redis
) -> None:
    async def main() -> tuple[list[int], list[bool]]:
        pool = aioredis.ConnectionPool.from_url(redis_url, connection_class=CountingAsyncConnection)
        intake = Intake(aioredis.Redis(connection_pool=pool))
        sent = []
        answers = []
        for first in (0, 50, 100):
            if first == 100:
                client.script_flush()  # a Redis restart: the next batch loads it once
            Count.sent = 0
            answers += await accept_together(intake, first, 50)
            sent.append(Count.sent)
        answers += await accept_together(intake, 0, 5)  # seen before: not pending again
        await pool.disconnect()
        return sent, answers

    sent, answers = asyncio.run(main())
    assert sent[1] == 1  # warm: one pipeline for 50 events
    assert sent[2] == 3  # the pipeline, SCRIPT LOAD, the batch sent again
    assert answers == [True] * 150 + [False] * 5
    assert client.zcard(constants.LIVE_PENDING) == 150


def test_a_batch_in_a_storm_holds_the_flusher_in_the_same_round_trip(
    redis_url: str, client: redis.Redis
) -> None:
    async def main() -> int:
        pool = aioredis.ConnectionPool.from_url(redis_url, connection_class=CountingAsyncConnection)
        intake = Intake(aioredis.Redis(connection_pool=pool))
        await accept_together(intake, 0, 5)  # loads the script
        Count.sent = 0
        events = [
            intake.accept(
                Target("person", f"p{n}"), 205.0, f"storm-{n}", now=200.0, hold_until=200.0 + n
            )
            for n in range(1, 4)
        ]
        assert await asyncio.gather(*events) == [True] * 3
        sent = Count.sent
        await pool.disconnect()
        return sent

    assert asyncio.run(main()) == 1
    assert client.get(constants.LIVE_HOLD) == b"203.0"  # the latest hold of the batch
    assert 3_000 < client.pttl(constants.LIVE_HOLD) <= 3_000 + HOLD_SLACK_MS


def test_the_receiver_spends_one_redis_round_trip_on_each_event_it_accepts(
    redis_url: str, client: redis.Redis
) -> None:
    # Sent one after another, each event is a batch of its own: nothing else on the request's
    # path may talk to Redis.
    pool = aioredis.ConnectionPool.from_url(redis_url, connection_class=CountingAsyncConnection)
    loaded = loaded_config(redis_url)
    app = create_app(loaded, redis_client=aioredis.Redis(connection_pool=pool), clock=FakeClock())
    with BackgroundServer(app) as server:
        webhook = WebhookClient(server.url)
        assert webhook.send(person_event("p0", event_id="warm")).status == 202  # loads the script
        Count.sent = 0
        for n in range(1, 11):
            assert webhook.send(person_event(f"p{n}", event_id=f"e{n}")).status == 202
        sent = Count.sent
    assert sent == 10
    assert client.zcard(constants.LIVE_PENDING) == 11
