"""The live flusher: claims due entries, resolves jobs, enqueues one fresh-read sync each."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
import redis
from pydantic import SecretStr
from redis.backoff import NoBackoff
from redis.retry import Retry
from structlog.testing import capture_logs

from producers.live.flusher import JobResolver, LiveFlusher, LiveOptions, charthop_job_resolver
from producers.live.hold import SYNC_BUCKETS
from producers.live.queue import LiveQueue
from shared import constants
from shared.charthop import ChartHopClient, ChartHopSettings
from shared.errors import ChartHopError
from shared.infra.broker import build_broker
from shared.infra.runs import RunStore
from shared.okta.buckets import USER_GET, USER_UPDATE
from sim.charthop import DEFAULT_TOKEN, FakeChartHop, create_app
from sim.server import BackgroundServer
from tests.producers.live.support import FakeClock, inflight, pending, sync_bodies
from workers.sync import mark_started

NO_RETRY = Retry(NoBackoff(), 0)
OPTIONS = LiveOptions(period_s=1.0, grace_s=0.2, lease_s=5.0, interval_s=0.05)


def make_flusher(
    client: redis.Redis, clock: FakeClock, resolve_job: JobResolver | None = None
) -> LiveFlusher:
    broker = build_broker(client=client)
    return LiveFlusher(
        client, broker, RunStore(client), OPTIONS, resolve_job=resolve_job, clock=clock
    )


def add_pending(client: redis.Redis, **due: float) -> None:
    members: dict[str, float] = {name.replace("_", ":"): at for name, at in due.items()}
    client.zadd(constants.LIVE_PENDING, members)


def test_due_entries_become_one_fresh_read_sync_message_each_in_the_live_run(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now - 1, person_p2=clock.now)
    report = asyncio.run(make_flusher(client, clock).tick())
    bodies = sync_bodies(client)
    assert report.claimed == 2 and report.enqueued == 2
    assert sorted(body.item.person_id or "" for body in bodies) == ["p1", "p2"]
    assert {body.run_id for body in bodies} == {report.run_id}
    assert all(not body.item.snapshot and not body.dry_run for body in bodies)
    assert len({body.item.key for body in bodies}) == 2
    assert all(body.item.key.startswith(f"{body.item.person_id}@") for body in bodies)
    assert report.run_id is not None and report.run_id.startswith("live-")
    assert RunStore(client).enqueued(report.run_id) == 2
    assert pending(client) == {} and inflight(client) == {}


def test_entries_not_yet_due_stay_pending(client: redis.Redis) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now + 3)
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.claimed == 0 and sync_bodies(client) == []
    assert pending(client) == {"person:p1": clock.now + 3}
    assert client.zcard(constants.RUNS_INDEX) == 0


def test_an_entry_whose_lease_expired_is_claimed_again(client: redis.Redis) -> None:
    clock = FakeClock()
    client.zadd(constants.LIVE_INFLIGHT, {"person:p1": clock.now - 0.5})
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.claimed == 1
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert inflight(client) == {} and pending(client) == {}


def test_an_entry_under_a_live_lease_is_left_to_its_flusher(client: redis.Redis) -> None:
    clock = FakeClock()
    client.zadd(constants.LIVE_INFLIGHT, {"person:p1": clock.now + 2})
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.claimed == 0 and sync_bodies(client) == []
    assert inflight(client) == {"person:p1": clock.now + 2}


def test_while_a_receiver_holds_the_flusher_nothing_is_claimed_and_expired_leases_wait(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now - 1)
    client.zadd(constants.LIVE_INFLIGHT, {"person:p2": clock.now - 0.5})  # its flusher died
    client.set(constants.LIVE_HOLD, repr(clock.now + 2))  # a storm
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.claimed == 0 and sync_bodies(client) == []
    assert pending(client) == {"person:p1": clock.now - 1, "person:p2": clock.now}
    clock.advance(2)  # the hold's time has passed (its key may outlive it)
    report = asyncio.run(make_flusher(client, clock).tick())
    assert sorted(body.item.person_id or "" for body in sync_bodies(client)) == ["p1", "p2"]


def okta_window(
    client: redis.Redis, bucket: str, ends_at: float, remaining: int, skew: float | None = None
) -> None:
    """The rate limiter's record of a bucket's window (shared.okta.redis_ratelimit)."""
    fields: dict[str, float] = {"limit": 600, "remaining": remaining, "reset": int(ends_at)}
    if skew is not None:
        fields["skew"] = skew
    client.hset(constants.ratelimit_key(bucket), mapping=fields)


def test_the_hold_is_lifted_by_oktas_clock_as_the_workers_learnt_it(client: redis.Redis) -> None:
    clock = FakeClock(now=1_800_000_058.0)
    add_pending(client, person_p1=clock.now - 1)
    client.set(constants.LIVE_HOLD, repr(clock.now + 20))
    # Okta's clock is 10 s ahead of this host's: its window ends in 2 s, not in 12
    for bucket in SYNC_BUCKETS:
        okta_window(client, bucket, 1_800_000_070.0, remaining=600, skew=10.0)
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.lift is not None and report.lift.window_end == 1_800_000_070.0
    assert report.claimed == 1


def test_a_storm_hold_is_lifted_for_the_budget_of_an_okta_window_about_to_lapse(
    client: redis.Redis,
) -> None:
    clock = FakeClock(now=1_800_000_058.0)  # 2 s before a minute's window ends
    add_pending(client, **{f"person_p{n}": clock.now - 1 for n in range(5)})
    add_pending(client, person_later=clock.now + 3)  # not due yet: the storm's window still runs
    client.set(constants.LIVE_HOLD, repr(clock.now + 20))  # the storm holds past the window
    for bucket in SYNC_BUCKETS:
        okta_window(client, bucket, 1_800_000_060.0, remaining=3 if bucket == USER_UPDATE else 9)
    flusher, other = make_flusher(client, clock), make_flusher(client, clock)
    report = asyncio.run(flusher.tick())
    assert report.lift is not None and report.lift.budget == 3
    assert report.claimed == 3 and len(sync_bodies(client)) == 3
    # however many ticks and flushers, the window's budget is claimed once
    assert asyncio.run(other.tick()).claimed == 0
    assert asyncio.run(flusher.tick()).claimed == 0
    clock.advance(10)  # the next window is a whole minute away: the hold stands again
    report = asyncio.run(flusher.tick())
    assert report.lift is None and report.claimed == 0
    assert len(sync_bodies(client)) == 3 and "person:later" in pending(client)


def test_a_storm_hold_stands_while_the_okta_window_ends_later_or_has_nothing_left(
    client: redis.Redis,
) -> None:
    clock = FakeClock(now=1_800_000_058.0)
    add_pending(client, person_p1=clock.now - 1)
    client.set(constants.LIVE_HOLD, repr(clock.now + 20))
    for bucket in SYNC_BUCKETS:
        okta_window(client, bucket, 1_800_000_060.0 + 60, remaining=600)  # ends in 62 s
    assert asyncio.run(make_flusher(client, clock).tick()).claimed == 0
    for bucket in SYNC_BUCKETS:
        okta_window(client, bucket, 1_800_000_060.0, remaining=0 if bucket == USER_GET else 600)
    assert asyncio.run(make_flusher(client, clock).tick()).claimed == 0
    assert sync_bodies(client) == [] and pending(client) == {"person:p1": clock.now - 1}


def test_two_flushers_never_claim_the_same_entry(client: redis.Redis) -> None:
    clock = FakeClock()
    add_pending(client, **{f"person_p{n}": clock.now - 1 for n in range(10)})
    first, second = LiveQueue(client), LiveQueue(client)
    a = first.claim(clock.now, 5, limit=6)
    b = second.claim(clock.now, 5, limit=6)
    assert len(a.members) == 6 and len(b.members) == 4
    assert set(a.members).isdisjoint(b.members)
    assert set(inflight(client)) == set(a.members) | set(b.members)


def test_a_late_flusher_does_not_release_an_entry_claimed_again_after_its_lease(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now)
    stalled, other = LiveQueue(client), LiveQueue(client)
    late = stalled.claim(clock.now, 5, limit=10)
    clock.advance(6)
    again = other.claim(clock.now, 5, limit=10)
    assert late.members == again.members == ["person:p1"]
    assert stalled.release(late, late.members) == 0
    assert inflight(client) == {"person:p1": clock.now + 5}
    assert other.release(again, again.members) == 1 and inflight(client) == {}


def test_a_job_entry_is_synced_as_the_person_holding_the_job(client: redis.Redis) -> None:
    asked: list[str] = []

    async def resolve(job_id: str) -> str | None:
        asked.append(job_id)
        return "p7"

    clock = FakeClock()
    add_pending(client, job_j7=clock.now)
    asyncio.run(make_flusher(client, clock, resolve).tick())
    assert asked == ["j7"]
    assert [body.item.person_id for body in sync_bodies(client)] == ["p7"]
    assert inflight(client) == {}


def test_a_person_named_directly_and_by_job_gets_one_message(client: redis.Redis) -> None:
    async def resolve(job_id: str) -> str | None:
        return "p1"

    clock = FakeClock()
    add_pending(client, person_p1=clock.now, job_j1=clock.now)
    report = asyncio.run(make_flusher(client, clock, resolve).tick())
    assert report.claimed == 2 and report.enqueued == 1
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert inflight(client) == {}


def test_a_job_nobody_holds_is_dropped(client: redis.Redis) -> None:
    async def resolve(job_id: str) -> str | None:
        return None

    clock = FakeClock()
    add_pending(client, job_j9=clock.now)
    report = asyncio.run(make_flusher(client, clock, resolve).tick())
    assert report.dropped == ["job:j9"] and sync_bodies(client) == []
    assert inflight(client) == {} and pending(client) == {}
    assert client.zcard(constants.RUNS_INDEX) == 0


def test_a_job_entry_without_a_resolver_is_dropped(client: redis.Redis) -> None:
    clock = FakeClock()
    add_pending(client, job_j9=clock.now)
    report = asyncio.run(make_flusher(client, clock).tick())
    assert report.dropped == ["job:j9"] and inflight(client) == {}


def test_a_job_chartHop_cannot_resolve_now_stays_in_flight_for_a_retry(
    client: redis.Redis,
) -> None:
    async def resolve(job_id: str) -> str | None:
        raise ChartHopError("ChartHop answered 503", status=503)

    clock = FakeClock()
    add_pending(client, job_j3=clock.now, person_p1=clock.now)
    report = asyncio.run(make_flusher(client, clock, resolve).tick())
    assert report.retry == ["job:j3"]
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert inflight(client) == {"job:j3": clock.now + OPTIONS.lease_s}


def test_an_entry_of_unknown_shape_is_dropped(client: redis.Redis) -> None:
    clock = FakeClock()
    client.zadd(constants.LIVE_PENDING, {"team:t1": clock.now, "person:": clock.now})
    report = asyncio.run(make_flusher(client, clock).tick())
    assert sorted(report.dropped) == ["person:", "team:t1"]
    assert sync_bodies(client) == [] and inflight(client) == {}


def test_the_charthop_resolver_finds_the_person_holding_a_job() -> None:
    fake = FakeChartHop.generated(8, seed=3)
    person = list(fake.people.values())[5]

    async def resolve(url: str) -> tuple[str | None, str | None]:
        settings = ChartHopSettings(base_url=url, org="acme", token=SecretStr(DEFAULT_TOKEN))
        async with aiohttp.ClientSession() as session:
            resolver = charthop_job_resolver(ChartHopClient(settings, session))
            return await resolver(person["jobId"]), await resolver("no-such-job")

    with BackgroundServer(create_app(fake)) as server:
        found, missing = asyncio.run(resolve(server.url))
    assert (found, missing) == (person["id"], None)


def test_the_loop_outlives_an_unreachable_redis_and_stops_when_asked() -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=NO_RETRY)
    flusher = LiveFlusher(dead, build_broker(client=dead), RunStore(dead), OPTIONS)

    async def run_briefly() -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(flusher.run_forever(stop))
        await asyncio.sleep(0.3)
        stop.set()
        started = time.monotonic()
        await asyncio.wait_for(task, timeout=5)
        return time.monotonic() - started

    with capture_logs() as logs:
        assert asyncio.run(run_briefly()) < 2
    dead.close()
    failures = [entry for entry in logs if entry["event"].startswith("live flush failed")]
    assert failures and all("Error" in entry["error"] for entry in failures)


def test_a_person_whose_message_has_not_started_gets_no_second_message(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    flusher = make_flusher(client, clock)
    add_pending(client, person_p1=clock.now, person_p2=clock.now)
    asyncio.run(flusher.tick())
    add_pending(client, person_p1=clock.now, person_p3=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.claimed == 2 and report.enqueued == 1 and report.already_queued == 1
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1", "p2", "p3"]
    assert report.run_id is not None and RunStore(client).enqueued(report.run_id) == 3
    assert pending(client) == {} and inflight(client) == {}


def test_a_person_whose_message_has_started_gets_one_more_message(client: redis.Redis) -> None:
    clock = FakeClock()
    flusher = make_flusher(client, clock)
    add_pending(client, person_p1=clock.now)
    asyncio.run(flusher.tick())
    mark_started(client, sync_bodies(client)[0])  # the sync under way may miss the next event
    add_pending(client, person_p1=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.enqueued == 1
    first, second = sync_bodies(client)
    assert first.item.person_id == second.item.person_id == "p1"
    assert first.item.key != second.item.key
    add_pending(client, person_p1=clock.now)  # the second one has not started: it will do
    assert asyncio.run(flusher.tick()).already_queued == 1


def test_a_message_that_started_before_its_mark_was_set_leaves_its_person_unmarked(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now)
    asyncio.run(make_flusher(client, clock).tick())
    body = sync_bodies(client)[0]
    client.delete(constants.live_queued_key("p1"))  # as if the mark was not set yet ...
    mark_started(client, body)  # ... when a worker started the message
    assert LiveQueue(client).mark_queued({"p1": body.item.key}) == 0
    assert LiveQueue(client).unqueued(["p1"]) == ["p1"]


def test_starting_a_message_keeps_the_mark_of_a_later_one(client: redis.Redis) -> None:
    clock = FakeClock()
    add_pending(client, person_p1=clock.now)
    asyncio.run(make_flusher(client, clock).tick())
    earlier = sync_bodies(client)[0]
    client.set(constants.live_queued_key("p1"), "p1@later")
    mark_started(client, earlier)  # a retry of the earlier message
    assert client.get(constants.live_queued_key("p1")) == b"p1@later"


def test_a_count_retried_after_its_answer_was_lost_counts_the_batch_once(
    client: redis.Redis,
) -> None:
    clock = FakeClock()
    flusher = make_flusher(client, clock)
    run_id = flusher.live_runs.run_for(clock.now)
    assert flusher.live_runs.count(run_id, 3, batch="claim-a") == 3
    assert flusher.live_runs.count(run_id, 3, batch="claim-a") == 3  # the client's retry
    assert flusher.live_runs.count(run_id, 2, batch="claim-b") == 5
    assert RunStore(client).enqueued(run_id) == 5


def test_a_tick_counts_its_messages_under_its_claim(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    flusher = make_flusher(client, clock)
    batches: list[str] = []
    count = flusher.live_runs.count

    def retried_count(run_id: str, messages: int, *, batch: str) -> int:
        batches.append(batch)
        count(run_id, messages, batch=batch)  # the first try, whose answer was lost
        return count(run_id, messages, batch=batch)

    monkeypatch.setattr(flusher.live_runs, "count", retried_count)
    add_pending(client, person_p1=clock.now, person_p2=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.run_id is not None and RunStore(client).enqueued(report.run_id) == 2
    assert len(batches) == 1 and batches[0]
