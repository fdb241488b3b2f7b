"""Coalescing: a burst of events for one person within the window becomes one sync message."""

from __future__ import annotations

import asyncio

import redis

from producers.live.flusher import LiveFlusher, LiveOptions
from producers.webhook.burst import BURST_RATE, BURST_WINDOW_S, QUIET_AFTER_S
from shared.core.models import SyncMessage
from shared.infra.broker import build_broker
from shared.infra.runs import RunStore
from tests.producers.live.support import FakeClock, pending, sync_bodies
from tests.producers.webhook.conftest import Serve, person_event
from workers.sync import mark_started


def flush(client: redis.Redis, clock: FakeClock) -> None:
    options = LiveOptions(period_s=60, grace_s=1)
    flusher = LiveFlusher(
        client, build_broker(client=client), RunStore(client), options, clock=clock
    )
    asyncio.run(flusher.tick())


def test_a_burst_of_twenty_events_for_one_person_becomes_one_sync_message(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock, live_coalesce_seconds=5)
    first = clock.now
    for n in range(20):
        assert webhook.send(person_event("p1", event_id=f"e{n}")).status == 202
        clock.advance(0.2)
    assert pending(client) == {"person:p1": first + 5}  # later events did not push it back
    flush(client, clock)
    assert sync_bodies(client) == []  # 4 s after the first event: still coalescing
    clock.now = first + 5
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]


def test_events_for_three_people_become_three_sync_messages(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock, live_coalesce_seconds=2)
    for person_id in ("p1", "p2", "p3", "p2", "p1"):
        assert webhook.send(person_event(person_id)).status == 202
    clock.advance(2)
    flush(client, clock)
    bodies = sync_bodies(client)
    assert sorted(body.item.person_id or "" for body in bodies) == ["p1", "p2", "p3"]
    assert len({body.run_id for body in bodies}) == 1


def test_an_event_after_the_flush_starts_a_new_window(serve: Serve, client: redis.Redis) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock, live_coalesce_seconds=1)
    webhook.send(person_event("p1"))
    clock.advance(1)
    flush(client, clock)
    start(client, sync_bodies(client)[0])  # a worker took the first message
    webhook.send(person_event("p1"))
    assert pending(client) == {"person:p1": clock.now + 1}
    clock.advance(1)
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1", "p1"]


def test_by_default_a_change_is_due_one_second_after_its_first_event(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock)
    first = clock.now
    for n in range(5):
        assert webhook.send(person_event("p1", event_id=f"e{n}")).status == 202
        clock.advance(0.15)
    assert pending(client) == {"person:p1": first + 1}
    clock.now = first + 1
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]


def test_an_event_while_the_persons_message_still_waits_adds_no_message(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock, live_coalesce_seconds=1)
    webhook.send(person_event("p1"))
    clock.advance(1)
    flush(client, clock)
    webhook.send(person_event("p1"))  # no worker has taken the first message yet
    clock.advance(1)
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert pending(client) == {}


def test_an_event_while_the_persons_message_waits_folds_into_it_even_once_it_has_started(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock, live_coalesce_seconds=1)
    webhook.send(person_event("p1", event_id="e1"))
    clock.advance(1)
    flush(client, clock)
    assert webhook.send(person_event("p1", event_id="e2")).status == 202  # first still queued
    assert pending(client) == {}  # the queued message reads ChartHop after this change
    start(client, sync_bodies(client)[0])
    clock.advance(1)
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    webhook.send(person_event("p1", event_id="e3"))  # after the start: one more sync
    clock.advance(1)
    flush(client, clock)
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1", "p1"]


def test_in_a_storm_no_sync_starts_until_the_events_have_quieted(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock)  # 1 s window when quiet
    first = clock.now
    for n in range(BURST_RATE + 5):  # 25 people within a quarter of a second: a storm
        assert webhook.send(person_event(f"p{n}", event_id=f"e{n}")).status == 202
        clock.advance(0.01)
    last = clock.now - 0.01
    assert pending(client)["person:p0"] == first + 1  # before the storm was seen: 1 s
    clock.now = last + QUIET_AFTER_S - 0.1  # p0..p18 are due, but events may still come
    flush(client, clock)
    assert sync_bodies(client) == []
    clock.now = last + QUIET_AFTER_S
    flush(client, clock)
    assert len(sync_bodies(client)) == BURST_RATE - 1  # the storm's own people wait 5 s
    clock.now = last + BURST_WINDOW_S
    flush(client, clock)
    assert len(sync_bodies(client)) == BURST_RATE + 5


def start(client: redis.Redis, message: SyncMessage) -> None:
    """What a worker does first with a live message: mark it started."""
    mark_started(client, message)
