"""Live runs: one per summary period, opened on first use, sealed and aggregated once it ended."""

from __future__ import annotations

import asyncio
from typing import Any

import redis

from producers.live.flusher import LiveFlusher, LiveOptions
from producers.live.runs import LiveRuns, period_end, period_of
from shared import constants
from shared.core.models import PersonOutcome
from shared.infra.broker import build_broker
from shared.infra.runs import RunStore
from tests.producers.live.support import FakeClock, queued, sync_bodies

OPTIONS = LiveOptions(period_s=1.0, grace_s=0.2, lease_s=5.0, interval_s=0.05)


class RacingRedis(redis.Redis):
    """A client that never sees the period's stored run id, as if another replica stored it
    between this replica's read and its write."""

    def get(self, name: Any) -> Any:
        return None


def make_flusher(client: redis.Redis, clock: FakeClock) -> LiveFlusher:
    return LiveFlusher(client, build_broker(client=client), RunStore(client), OPTIONS, clock=clock)


def event_for(client: redis.Redis, person_id: str, clock: FakeClock) -> None:
    client.zadd(constants.LIVE_PENDING, {f"person:{person_id}": clock.now})


def outcome(key: str) -> PersonOutcome:
    return PersonOutcome(key=key, status="unchanged")


def test_periods_are_whole_multiples_of_the_period_length() -> None:
    assert period_of(1_800_000_899.9, 900) == 2_000_000
    assert period_of(1_800_000_900.0, 900) == 2_000_001
    assert period_end(2_000_000, 900) == 1_800_000_900.0


def test_a_period_without_changes_opens_no_run(client: redis.Redis) -> None:
    clock = FakeClock()
    flusher = make_flusher(client, clock)
    for _ in range(3):
        asyncio.run(flusher.tick())
        clock.advance(1)
    assert client.zcard(constants.RUNS_INDEX) == 0
    assert client.zcard(constants.LIVE_OPEN_RUNS) == 0
    assert client.keys(constants.live_run_key(0).replace(":0", ":*")) == []


def test_messages_of_one_period_share_its_run_and_the_next_period_opens_another(
    client: redis.Redis,
) -> None:
    clock = FakeClock(now=1_800_000_000.1)
    flusher = make_flusher(client, clock)
    event_for(client, "p1", clock)
    first = asyncio.run(flusher.tick())
    clock.advance(0.5)
    event_for(client, "p2", clock)
    second = asyncio.run(flusher.tick())
    clock.advance(0.5)
    event_for(client, "p3", clock)
    third = asyncio.run(flusher.tick())
    assert first.run_id == second.run_id != third.run_id
    runs = RunStore(client)
    assert first.run_id is not None and third.run_id is not None
    assert (runs.enqueued(first.run_id), runs.enqueued(third.run_id)) == (2, 1)
    assert (runs.meta(first.run_id).kind, runs.meta(first.run_id).started_by) == ("live", "live")
    assert client.get(constants.live_run_key(1_800_000_000)) == first.run_id.encode()
    ends = [client.zscore(constants.LIVE_OPEN_RUNS, run) for run in (first.run_id, third.run_id)]
    assert ends == [1_800_000_001.0, 1_800_000_002.0]
    assert client.zcard(constants.LIVE_OPEN_RUNS) == 2
    assert [body.run_id for body in sync_bodies(client)] == [first.run_id] * 2 + [third.run_id]


def test_an_ended_period_is_sealed_with_its_enqueued_count_once_the_grace_passed(
    client: redis.Redis,
) -> None:
    clock = FakeClock(now=1_800_000_000.5)
    flusher = make_flusher(client, clock)
    event_for(client, "p1", clock)
    event_for(client, "p2", clock)
    run_id = asyncio.run(flusher.tick()).run_id
    assert run_id is not None
    clock.now = 1_800_000_001.1  # ended, but still within the grace
    assert asyncio.run(flusher.tick()).sealed == []
    clock.now = 1_800_000_001.3
    assert asyncio.run(flusher.tick()).sealed == [run_id]
    runs = RunStore(client)
    assert runs.progress(run_id) == (0, 2)
    assert client.zcard(constants.LIVE_OPEN_RUNS) == 0
    # Outcomes are still due: the worker recording the last one enqueues the aggregator.
    assert queued(client, constants.RUNS_QUEUE) == []
    keys = [body.item.key for body in sync_bodies(client)]
    assert runs.record(run_id, [outcome(keys[0])]) is False
    assert runs.record(run_id, [outcome(keys[1])]) is True


def test_a_complete_run_gets_its_aggregator_exactly_once_across_replicas(
    client: redis.Redis,
) -> None:
    clock = FakeClock(now=1_800_000_000.5)
    first, second = make_flusher(client, clock), make_flusher(client, clock)
    event_for(client, "p1", clock)
    run_id = asyncio.run(first.tick()).run_id
    assert run_id is not None
    runs = RunStore(client)
    [body] = sync_bodies(client)
    assert runs.record(run_id, [outcome(body.item.key)]) is False  # not sealed yet
    clock.now = 1_800_000_002.0
    client.zadd(constants.LIVE_OPEN_RUNS, {run_id: 1_800_000_001.0})  # as if a replica died
    sealed = [asyncio.run(flusher.tick()).sealed for flusher in (first, second, first)]
    client.zadd(constants.LIVE_OPEN_RUNS, {run_id: 1_800_000_001.0})
    sealed.append(asyncio.run(second.tick()).sealed)
    aggregators = queued(client, constants.RUNS_QUEUE)
    assert [message.args for message in aggregators] == [(run_id,)]
    assert aggregators[0].actor_name == constants.AGGREGATE_ACTOR
    assert runs.aggregate_state(run_id) == "enqueued"
    assert sealed == [[run_id], [], [], [run_id]]


def test_a_replica_that_loses_the_race_to_open_a_period_uses_the_winners_run(
    client: redis.Redis, redis_url: str
) -> None:
    runs = RunStore(client)
    broker = build_broker(client=client)
    winner = LiveRuns(client, runs, broker, period_s=1, grace_s=0.2).run_for(1_800_000_000.2)
    racing = RacingRedis.from_url(redis_url)
    loser = LiveRuns(racing, RunStore(racing), broker, period_s=1, grace_s=0.2)
    assert loser.run_for(1_800_000_000.7) == winner
    assert client.zrange(constants.RUNS_INDEX, 0, -1) == [winner.encode()]
    assert client.zrange(constants.LIVE_OPEN_RUNS, 0, -1) == [winner.encode()]
    racing.close()
