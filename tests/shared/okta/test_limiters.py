"""The in-process and the Redis rate limiters apply the same rules; Redis shares them by process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
import redis.asyncio as aioredis

from config.settings import WorkerConfig
from shared.constants import ratelimit_key
from shared.okta import (
    LocalRateLimiter,
    OktaClock,
    RateLimitReading,
    RedisRateLimiter,
    redis_ratelimit,
)
from shared.okta.budget import Decision, Policy
from shared.okta.ratelimit import RateLimiter, pause_for
from shared.okta.redis_ratelimit import LEASE_RENEW_S, LEASE_TTL_S

START = 1_700_000_000.0


class Refused(Exception):
    """Stands for "the limiter wanted to sleep": carries how long."""

    def __init__(self, pause: float) -> None:
        super().__init__(pause)
        self.pause = pause


async def refuse(pause: float) -> None:
    raise Refused(pause)


class Time:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


Factory = Callable[..., RateLimiter]
POLICY_FIELDS = ("share", "max_in_flight", "probe_budget")


def with_policy(options: dict[str, Any]) -> dict[str, Any]:
    """A limiter's options with the rate-limit settings among them gathered into its Policy."""
    fields = {name: options.pop(name) for name in POLICY_FIELDS if name in options}
    return {**options, "policy": Policy(**fields)}


@asynccontextmanager
async def limiters(kind: str, redis_url: str) -> AsyncIterator[Factory]:
    """Yield a factory of limiters of ``kind`` that refuse instead of sleeping."""
    if kind == "local":
        yield lambda **options: LocalRateLimiter(
            sleep=refuse, rand=lambda: 0.5, **with_policy(options)
        )
        return
    client = aioredis.Redis.from_url(redis_url)
    made: list[RedisRateLimiter] = []

    def make(**options: Any) -> RedisRateLimiter:
        made.append(
            RedisRateLimiter(client, sleep=refuse, rand=lambda: 0.5, **with_policy(options))
        )
        return made[-1]

    try:
        yield make
    finally:
        for limiter in made:  # every place back, so that no test sees another's leases
            await limiter.drain()
        await client.aclose()


def run(kind: str, redis_url: str, scenario: Callable[[Factory], Awaitable[None]]) -> None:
    async def main() -> None:
        async with limiters(kind, redis_url) as factory:
            await scenario(factory)

    asyncio.run(main())


async def admitted(limiter: RateLimiter, bucket: str, clock: OktaClock) -> bool:
    """Whether a request would go at once (the slot is released straight away)."""
    try:
        async with limiter.slot(bucket, clock):
            return True
    except Refused:
        return False


async def hold(stack: AsyncExitStack, limiter: RateLimiter, bucket: str, clock: OktaClock) -> None:
    await stack.enter_async_context(limiter.slot(bucket, clock))


async def feed(
    limiter: RateLimiter, bucket: str, clock: OktaClock, reading: RateLimitReading
) -> None:
    async with limiter.slot(bucket, clock) as slot:
        slot.record(reading)


KINDS = pytest.mark.parametrize("kind", ["local", "redis"])


@KINDS
def test_before_the_first_headers_only_a_few_probes_go(kind: str, redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        limiter = make(share=1.0, max_in_flight=20, probe_budget=3)
        async with AsyncExitStack() as stack:
            for _ in range(3):
                await hold(stack, limiter, "user-update", clock)
            assert not await admitted(limiter, "user-update", clock)
            assert await admitted(limiter, "user-get", clock)  # another bucket probes apart
        await feed(limiter, "user-update", clock, RateLimitReading(100, 90, START + 60))
        async with AsyncExitStack() as stack:
            for _ in range(5):
                await hold(stack, limiter, "user-update", clock)

    run(kind, redis_url, scenario)


@KINDS
def test_a_spent_window_waits_until_its_reset(kind: str, redis_url: str) -> None:
    time = Time()
    clock = OktaClock(time)

    async def scenario(make: Factory) -> None:
        limiter = make(share=1.0, max_in_flight=20)
        await feed(limiter, "user-update", clock, RateLimitReading(10, 0, START + 30))
        async with AsyncExitStack() as stack:
            with pytest.raises(Refused) as refused:
                await hold(stack, limiter, "user-update", clock)
        assert 30.0 < refused.value.pause < 30.2
        time.now = START + 30.0
        assert await admitted(limiter, "user-update", clock)  # a probe of the next window

    run(kind, redis_url, scenario)


@KINDS
def test_a_window_whose_last_places_are_held_in_flight_is_asked_again_within_a_third_of_a_second(
    kind: str, redis_url: str
) -> None:
    """Not at its reset: a held place may come back unused, and the window would lose it."""
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        limiter = make(share=1.0, max_in_flight=20)
        await feed(limiter, "user-update", clock, RateLimitReading(10, 2, START + 30))
        async with AsyncExitStack() as stack:
            await hold(stack, limiter, "user-update", clock)
            await hold(stack, limiter, "user-update", clock)
            with pytest.raises(Refused) as refused:
                await hold(stack, limiter, "user-update", clock)
        assert 0.2 < refused.value.pause < 0.32
        assert await admitted(limiter, "user-update", clock)  # both came back unused

    run(kind, redis_url, scenario)


def test_the_fleet_keeps_the_okta_clock_skew_with_each_buckets_window(redis_url: str) -> None:
    """For the live flusher, which reads the windows but never talks to Okta itself."""
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        limiter = make(share=1.0, max_in_flight=20)
        await feed(limiter, "user-update", clock, RateLimitReading(100, 90, START + 60))
        clock.observe(START + 5, sent_at=START, received_at=START)  # Okta's Date: 5 s ahead
        assert await admitted(limiter, "user-update", clock)
        reader = aioredis.Redis.from_url(redis_url)
        try:
            skew = await reader.hget(ratelimit_key("user-update"), "skew")
        finally:
            await reader.aclose()
        assert skew is not None and float(skew) == 5.0

    run("redis", redis_url, scenario)


@KINDS
def test_the_share_leaves_the_reserve_to_other_integrations(kind: str, redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        limiter = make(share=0.5, max_in_flight=20)
        await feed(limiter, "groups", clock, RateLimitReading(10, 7, START + 30))
        async with AsyncExitStack() as stack:
            await hold(stack, limiter, "groups", clock)
            assert await admitted(limiter, "groups", clock)  # 7 - 1 in flight - 1 >= 5
            await hold(stack, limiter, "groups", clock)
            assert not await admitted(limiter, "groups", clock)  # 7 - 2 - 1 < 5

    run(kind, redis_url, scenario)


@KINDS
def test_requests_in_flight_are_capped_across_buckets(kind: str, redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        limiter = make(share=1.0, max_in_flight=2)
        async with AsyncExitStack() as stack:
            await hold(stack, limiter, "user-get", clock)
            await hold(stack, limiter, "groups", clock)
            with pytest.raises(Refused) as refused:
                await hold(stack, limiter, "user-update", clock)
        assert refused.value.pause < 0.1
        assert await admitted(limiter, "user-update", clock)

    run(kind, redis_url, scenario)


def test_processes_share_one_budget_through_redis(redis_url: str) -> None:
    clock = OktaClock(Time())

    async def scenario(make: Factory) -> None:
        first, second = make(share=1.0, max_in_flight=20), make(share=1.0, max_in_flight=20)
        await feed(first, "user-update", clock, RateLimitReading(100, 2, START + 30))
        async with AsyncExitStack() as stack:
            await hold(stack, second, "user-update", clock)
            await hold(stack, first, "user-update", clock)
            assert not await admitted(second, "user-update", clock)

    run("redis", redis_url, scenario)


def test_a_dead_processes_leases_expire(redis_url: str) -> None:
    time = Time()
    clock = OktaClock(time)

    async def scenario(make: Factory) -> None:
        dead = make(share=1.0, max_in_flight=1, lease_ttl_s=5.0)
        alive = make(share=1.0, max_in_flight=1, lease_ttl_s=5.0)
        assert isinstance(dead, RedisRateLimiter)
        await dead._acquire("user-get", clock)  # taken, never released: the process died
        assert not await admitted(alive, "user-get", clock)
        time.now += 5.0
        assert await admitted(alive, "user-get", clock)

    run("redis", redis_url, scenario)


def test_a_dead_processes_places_come_back_within_the_heartbeat_timeout_plus_5_s() -> None:
    heartbeat_s = WorkerConfig().heartbeat_timeout_ms / 1000
    assert heartbeat_s + 5 >= LEASE_TTL_S
    assert LEASE_RENEW_S * 3 <= LEASE_TTL_S  # two renewals may be missed before a lease lapses


def test_a_live_request_keeps_its_lease_past_the_lease_ttl_and_gives_it_back_at_the_end(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_ratelimit, "LEASE_RENEW_S", 0.1)
    clock = OktaClock()

    async def scenario(make: Factory) -> None:
        holder = make(share=1.0, max_in_flight=1, lease_ttl_s=0.5)
        other = make(share=1.0, max_in_flight=1, lease_ttl_s=0.5)
        async with holder.slot("user-get", clock):
            await asyncio.sleep(1.5)  # three lease lifetimes: renewed, still held
            assert not await admitted(other, "user-get", clock)
        await asyncio.sleep(redis_ratelimit.RELEASE_FLUSH_S * 3)  # given back in the next batch
        assert await admitted(other, "user-get", clock)

    run("redis", redis_url, scenario)


def test_short_waits_grow_with_refusals_in_a_row_and_budget_waits_do_not() -> None:
    concurrency = Decision(0.02, "concurrency")
    pauses = [pause_for(concurrency, lambda: 0.5, 65.0, refusals) for refusals in range(6)]
    assert pauses == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.16, 0.16])
    budget = Decision(30.0, "budget")
    assert pause_for(budget, lambda: 0.0, 65.0, 5) == pytest.approx(30.01)
    assert pause_for(Decision(500.0, "budget"), lambda: 0.0, 65.0) == pytest.approx(65.01)
