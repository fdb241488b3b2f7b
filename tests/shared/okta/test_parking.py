"""Parking: a message's first write waits for a spent Okta window off its worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from shared.errors import BudgetDeferredError
from shared.okta import OktaClock, Policy, RateLimitReading, RedisRateLimiter
from shared.okta.ratelimit import may_park
from tests.shared.okta.test_limiters import START, Time, admitted, feed, refuse

JITTER = 0.01 + 0.5 * 0.1  # the limiter's fixed margin plus rand() = 0.5 of MAX_JITTER_S


def run(redis_url: str, scenario: Callable[[RedisRateLimiter], Awaitable[None]]) -> None:
    async def main() -> None:
        client = aioredis.Redis.from_url(redis_url)
        try:
            limiter = RedisRateLimiter(
                client, policy=Policy(share=1.0), sleep=refuse, rand=lambda: 0.5
            )
            await scenario(limiter)
        finally:
            await client.aclose()

    asyncio.run(main())


async def parked_for(limiter: RedisRateLimiter, clock: OktaClock) -> float:
    with pytest.raises(BudgetDeferredError) as parked, may_park():
        await admitted(limiter, "user-update", clock)
    assert parked.value.bucket == "user-update"
    return parked.value.delay_s


def test_a_spent_window_parks_the_first_write_until_its_reset(redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(limiter: RedisRateLimiter) -> None:
        await feed(limiter, "user-update", clock, RateLimitReading(10, 0, START + 30))
        assert await parked_for(limiter, clock) == pytest.approx(30 + JITTER)

    run(redis_url, scenario)


def test_parked_messages_get_a_budget_of_tickets_per_window(redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(limiter: RedisRateLimiter) -> None:
        # Two windows seen 20 s apart teach the limiter the window's length.
        await feed(limiter, "user-update", clock, RateLimitReading(3, 3, START + 10))
        await feed(limiter, "user-update", clock, RateLimitReading(3, 0, START + 30))
        delays = [await parked_for(limiter, clock) for _ in range(7)]
        assert delays == pytest.approx([30 + JITTER] * 3 + [50 + JITTER] * 3 + [70 + JITTER])

    run(redis_url, scenario)


def test_outside_a_first_write_a_spent_window_is_slept_through(redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(limiter: RedisRateLimiter) -> None:
        await feed(limiter, "user-update", clock, RateLimitReading(10, 0, START + 30))
        assert not await admitted(limiter, "user-update", clock)  # it asked to sleep

    run(redis_url, scenario)


def test_a_window_about_to_reset_is_slept_through_even_when_parking_is_allowed(
    redis_url: str,
) -> None:
    time = Time()
    clock = OktaClock(time)

    async def scenario(limiter: RedisRateLimiter) -> None:
        await feed(limiter, "user-update", clock, RateLimitReading(10, 0, START + 30))
        time.now = START + 29.9
        with may_park():
            assert not await admitted(limiter, "user-update", clock)  # it asked to sleep

    run(redis_url, scenario)
