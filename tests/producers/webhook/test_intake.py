"""The receiver's accept path: a batch of events arriving together costs one Redis round trip."""

from __future__ import annotations

import asyncio
from typing import Any

import redis
import redis.asyncio as aioredis

from producers.live.queue import Target
from producers.webhook.intake import Intake
from shared import constants


class Count:
    sent = 0


class CountingAsyncConnection(aioredis.Connection):
    """Counts what it sends, except a new connection's handshake."""

    handshaking = False

    async def on_connect(self) -> None:
        self.handshaking = True
        try:
            await super().on_connect()
        finally:
            self.handshaking = False

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        Count.sent += 0 if self.handshaking else 1
        await super().send_packed_command(command, check_health)


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
