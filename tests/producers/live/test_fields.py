"""Live sync refuses a configuration version that reads unknown fields: nothing is written, the
run fails with the reason, and every person's sync is kept as a dead letter to replay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import redis

from config.settings import GroupConfig, HopsyncConfig
from producers.live.fields import FieldGate
from producers.live.flusher import LiveFlusher
from producers.ops.replay import plan_replay
from shared import constants
from shared.core.field_check import KnownFields
from shared.core.summary import build_summary, describe, headline, render_text
from shared.errors import ChartHopError
from shared.infra.broker import build_broker
from shared.infra.deadletters import DeadLetterStore
from shared.infra.runs import RunStore
from tests.producers.live.support import FakeClock, inflight, loaded_config, pending, sync_bodies
from tests.producers.live.test_flusher import OPTIONS, add_pending

FIELDS = KnownFields.of(["contact", "department", "name", "title"], "the test's field list")


def config_reading(redis_url: str, query: str) -> HopsyncConfig:
    config = loaded_config(redis_url).config
    return config.model_copy(update={"groups": [GroupConfig(name="Engineering", query=query)]})


class Reader:
    """The org's fields, counting reads; ``fail`` makes the next reads raise as ChartHop down."""

    def __init__(self) -> None:
        self.reads = 0
        self.fail = False

    async def __call__(self) -> KnownFields:
        self.reads += 1
        if self.fail:
            raise ChartHopError("ChartHop could not be reached", status=None)
        return FIELDS


def flusher_with(
    client: redis.Redis, clock: FakeClock, config: HopsyncConfig, reader: Reader
) -> LiveFlusher:
    gate = FieldGate(reader, lambda version: config, clock=clock)
    broker = build_broker(client=client)
    return LiveFlusher(client, broker, RunStore(client), OPTIONS, clock=clock, fields=gate)


def test_a_configuration_reading_an_unknown_field_enqueues_nothing_and_fails_its_run(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    config = config_reading(redis_url, "departmnt:engineering")
    add_pending(client, person_p1=clock.now, person_p2=clock.now)
    report = asyncio.run(flusher_with(client, clock, config, Reader()).tick())
    assert report.claimed == 2 and report.enqueued == 0 and report.dead_lettered == 2
    assert sync_bodies(client) == []
    assert pending(client) == {} and inflight(client) == {}  # released: kept as dead letters
    assert report.run_id is not None
    runs = RunStore(client)
    meta = runs.meta(report.run_id)
    assert meta.status == "failed"
    assert "groups[0].query: unknown field 'departmnt' (did you mean 'department'?)" in meta.note
    assert "checked against the test's field list" in meta.note
    assert "`hopsync dlq replay --all`" in meta.note
    assert runs.enqueued(report.run_id) == 2
    assert sorted(o.person_id or "" for o in runs.outcomes(report.run_id)) == ["p1", "p2"]
    assert {o.status for o in runs.outcomes(report.run_id)} == {"failed"}


def test_the_refused_syncs_are_dead_letters_a_replay_turns_back_into_people(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    config = config_reading(redis_url, "departmnt:engineering")
    add_pending(client, person_p1=clock.now, person_p2=clock.now)
    report = asyncio.run(flusher_with(client, clock, config, Reader()).tick())
    letters = DeadLetterStore(client).entries()
    assert [letter.actor for letter in letters] == [constants.SYNC_ACTOR] * 2
    assert {letter.run_id for letter in letters} == {report.run_id}
    assert all("unknown field 'departmnt'" in letter.error for letter in letters)
    plan = plan_replay(letters)
    assert sorted(item.person_id or "" for item in plan.items) == ["p1", "p2"]
    assert plan.skipped == []


def test_the_failed_runs_summary_keeps_the_reason_once_its_period_is_sealed(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    config = config_reading(redis_url, "departmnt:engineering")
    flusher = flusher_with(client, clock, config, Reader())
    add_pending(client, person_p1=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.run_id is not None
    clock.advance(OPTIONS.period_s + OPTIONS.grace_s + 1)
    assert asyncio.run(flusher.tick()).sealed == [report.run_id]
    runs = RunStore(client)
    assert runs.progress(report.run_id) == (1, 1)  # complete: its aggregator is due
    meta, outcomes = runs.meta(report.run_id), runs.outcomes(report.run_id)
    summary = build_summary(meta, outcomes, datetime.now(UTC))
    assert summary.status == "failed" and summary.failed_people == 1
    line = headline(summary)
    assert line.startswith(f"FAILED: live {report.run_id}: 1 failed (would make 0 Okta write(s))")
    assert "unknown field 'departmnt'" in line


def test_a_version_is_checked_once_however_many_events_follow(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    reader = Reader()
    flusher = flusher_with(client, clock, config_reading(redis_url, "department:eng"), reader)
    for person in ("p1", "p2", "p3"):
        add_pending(client, **{f"person_{person}": clock.now})
        assert asyncio.run(flusher.tick()).enqueued == 1
        clock.advance(0.1)
    assert reader.reads == 1
    assert len(sync_bodies(client)) == 3


def test_a_refused_version_is_read_again_after_a_while_as_the_field_may_be_created(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    reader = Reader()
    gate = FieldGate(reader, lambda version: config_reading(redis_url, "cost:x"), clock=clock)
    assert asyncio.run(gate.refusal(4)) is not None
    assert asyncio.run(gate.refusal(4)) is not None and reader.reads == 1
    clock.advance(gate.recheck_s + 1)
    assert asyncio.run(gate.refusal(4)) is not None and reader.reads == 2


def test_when_the_fields_cannot_be_read_the_entries_wait_in_flight_for_a_retry(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    reader = Reader()
    reader.fail = True
    flusher = flusher_with(client, clock, config_reading(redis_url, "department:eng"), reader)
    add_pending(client, person_p1=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.enqueued == 0 and report.dead_lettered == 0 and report.retry == ["person:p1"]
    assert sync_bodies(client) == [] and DeadLetterStore(client).count() == 0
    assert list(inflight(client)) == ["person:p1"]
    reader.fail = False
    clock.advance(OPTIONS.lease_s + 0.1)  # the lease ends: a later tick claims it again
    assert asyncio.run(flusher.tick()).enqueued == 1
    assert reader.reads == 2


def test_a_configuration_reading_known_fields_syncs_as_before(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    config = config_reading(redis_url, "department:engineering")
    add_pending(client, person_p1=clock.now)
    report = asyncio.run(flusher_with(client, clock, config, Reader()).tick())
    assert report.enqueued == 1 and report.dead_lettered == 0
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert report.run_id is not None and RunStore(client).meta(report.run_id).status == "running"


def test_a_period_whose_fields_could_never_be_read_opens_no_run_to_be_sealed_empty(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    reader = Reader()
    reader.fail = True  # ChartHop down for the whole period
    flusher = flusher_with(client, clock, config_reading(redis_url, "department:eng"), reader)
    add_pending(client, person_p1=clock.now)
    for _ in range(3):
        report = asyncio.run(flusher.tick())
        assert report.run_id is None and report.enqueued == 0
        clock.advance(OPTIONS.lease_s + 0.1)
    assert reader.reads == 3
    clock.advance(OPTIONS.period_s + OPTIONS.grace_s)
    reader.fail = True
    assert asyncio.run(flusher.tick()).sealed == []
    assert RunStore(client).recent() == []  # no run of 0 messages, no "nobody" summary
    assert list(inflight(client)) == ["person:p1"]  # still waiting, nothing lost


def test_a_refused_persons_row_names_the_person_id_not_the_internal_item_key(
    client: redis.Redis, redis_url: str
) -> None:
    clock = FakeClock()
    config = config_reading(redis_url, "departmnt:engineering")
    flusher = flusher_with(client, clock, config, Reader())
    add_pending(client, person_p1=clock.now)
    report = asyncio.run(flusher.tick())
    assert report.run_id is not None
    runs = RunStore(client)
    [outcome] = runs.outcomes(report.run_id)
    assert describe(outcome).startswith("[failed] person p1: not synced: ")
    summary = build_summary(runs.meta(report.run_id), [outcome], datetime.now(UTC))
    text = render_text(summary)
    assert "person p1: not synced" in text and outcome.key not in text
