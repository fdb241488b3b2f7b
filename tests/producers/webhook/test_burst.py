"""The coalescing window adapts: a person is due shortly after a quiet event, and in a storm
their later events push the due time back (capped), so a person edited across a storm is synced
once."""

from __future__ import annotations

import asyncio

import redis
import redis.asyncio as aioredis

from producers.live.queue import Target
from producers.webhook.burst import (
    BURST_RATE,
    BURST_WINDOW_S,
    MAX_HOLD_S,
    MAX_WINDOW_S,
    QUIET_AFTER_S,
    BurstMeter,
)
from producers.webhook.intake import Intake
from shared import constants

START = 1_000.0


def storm(meter: BurstMeter, at: float) -> None:
    for n in range(BURST_RATE):
        meter.observe(at + n * 0.01)


def test_a_quiet_event_is_due_after_the_configured_window_and_pushes_nothing_back() -> None:
    meter = BurstMeter(1.0)
    window = meter.observe(START)
    assert (window.due, window.extend) == (START + 1.0, False)
    assert meter.observe(START + 0.5).due == START + 1.5 and not meter.storming


def test_a_storm_lengthens_the_window_while_it_lasts_and_quiet_shortens_it_again() -> None:
    meter = BurstMeter(1.0)
    storm(meter, START)
    during = meter.observe(START + 0.5)
    assert during.extend and during.due == START + 0.5 + BURST_WINDOW_S
    assert during.cap_s == MAX_WINDOW_S and meter.storming
    after = meter.observe(START + 0.5 + QUIET_AFTER_S + 0.1)
    assert (after.due, after.extend) == (START + 0.6 + QUIET_AFTER_S + 1.0, False)


def test_a_zero_window_syncs_at_the_next_flush_even_in_a_storm() -> None:
    meter = BurstMeter(0.0)
    storm(meter, START)
    window = meter.observe(START + 0.3)
    assert (window.due, window.extend, window.hold_until) == (START + 0.3, False, None)


def test_a_storm_holds_the_flusher_until_it_quiets_but_never_past_the_hold_cap() -> None:
    meter = BurstMeter(1.0)
    assert meter.observe(START - 10).hold_until is None  # quiet: nothing held
    storm(meter, START)
    assert meter.observe(START + 0.5).hold_until == START + 0.5 + QUIET_AFTER_S
    at = START
    while at < START + MAX_HOLD_S + 5:  # a storm that goes on and on
        storm(meter, at)
        at += 1.0
    window = meter.observe(at)
    assert window.extend and window.hold_until is None  # past the cap: per-person windows only
    later = at + QUIET_AFTER_S + 1  # quiet again, then a new storm holds again
    assert meter.observe(later).hold_until is None
    storm(meter, later + 1)
    assert meter.observe(later + 1.5).hold_until == later + 1.5 + QUIET_AFTER_S


def due_after(redis_url: str, events: list[tuple[float, bool]], cap_s: float = 30.0) -> float:
    """The person's due time after events (time, in a storm) 5 s windows."""

    async def main() -> float:
        client = aioredis.Redis.from_url(redis_url)
        intake = Intake(client)
        for n, (now, extend) in enumerate(events):
            await intake.accept(
                Target("person", "p1"),
                now + 5.0,
                f"e{n}-{now}",
                now=now,
                extend=extend,
                cap_s=cap_s,
            )
        due = await client.zscore(constants.LIVE_PENDING, "person:p1")
        await client.aclose()
        assert due is not None
        return float(due)

    return asyncio.run(main())


def test_quiet_events_keep_the_first_due_time(redis_url: str) -> None:
    assert due_after(redis_url, [(START, False), (START + 3, False)]) == START + 5


def test_in_a_storm_a_later_event_pushes_the_due_time_back(redis_url: str) -> None:
    assert due_after(redis_url, [(START, True), (START + 3, True)]) == START + 8


def test_in_a_storm_the_due_time_never_passes_the_cap_after_the_first_event(
    redis_url: str,
) -> None:
    events = [(START + step * 4.0, True) for step in range(6)]
    assert due_after(redis_url, events, cap_s=12.0) == START + 12


def test_after_a_flush_claimed_the_person_the_next_event_starts_a_new_window(
    redis_url: str, client: redis.Redis
) -> None:
    due_after(redis_url, [(START, True)])
    client.zrem(constants.LIVE_PENDING, "person:p1")  # claimed by a flusher
    assert due_after(redis_url, [(START + 40, True)]) == START + 45
