"""The janitor ends every run a crash left without an end: stranded, abandoned or stalled."""

from __future__ import annotations

import json
import time

import redis

from producers.schedule.janitor import (
    ABANDONED_AFTER_S,
    STALLED_AFTER_S,
    repair_stranded_runs,
    seal_abandoned_live_runs,
    settle_stalled_live_runs,
)
from shared import constants
from shared.core.messages import sync_message
from shared.core.models import PersonOutcome, SyncItem
from shared.infra.broker import build_broker
from shared.infra.runs import RunStore


def test_a_stranded_run_gets_its_aggregator_enqueued_once(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    runs = RunStore(client)
    broker = build_broker(client=client)
    run = runs.create("live")
    runs.seal(run.run_id, 1)
    runs.record(run.run_id, [PersonOutcome(key="a", status="unchanged")])
    assert repair_stranded_runs(runs, broker, older_than_s=-1) == [run.run_id]
    assert repair_stranded_runs(runs, broker, older_than_s=-1) == []
    queue = f"{constants.DRAMATIQ_NAMESPACE}:{constants.RUNS_QUEUE}"
    assert client.llen(queue) == 1
    body = client.hvals(f"{queue}.msgs")[0]
    assert run.run_id.encode() in body and constants.AGGREGATE_ACTOR.encode() in body


def live_run(client: redis.Redis, runs: RunStore, *, period_end: float) -> str:
    """A live run opened for a period that ended at ``period_end``, as the flusher opens it."""
    run = runs.create("live")
    client.zadd(constants.LIVE_OPEN_RUNS, {run.run_id: period_end})
    return run.run_id


def test_a_live_run_no_flusher_sealed_is_sealed_and_completes(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    runs, broker = RunStore(client), build_broker(client=client)
    now = time.time()
    abandoned = live_run(client, runs, period_end=now - 30 - ABANDONED_AFTER_S - 5)
    current = live_run(client, runs, period_end=now - 30)  # its flusher may still seal it
    runs.add_enqueued(abandoned, 2)
    runs.record(abandoned, [outcome("a"), outcome("b")])
    sealed = seal_abandoned_live_runs(runs, broker, period_s=900, grace_s=30, now=now)
    assert sealed == [abandoned]
    assert runs.progress(abandoned) == (2, 2)
    assert runs.progress(current)[1] is None
    assert aggregator_messages(client) == [abandoned]


def test_a_live_run_counted_more_than_was_enqueued_is_ended_saying_so(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    runs, broker = RunStore(client), build_broker(client=client)
    stalled = runs.create("live").run_id
    waiting = runs.create("live").run_id
    for run_id in (stalled, waiting):
        runs.record(run_id, [outcome("a")])
        runs.seal(run_id, 3)  # three counted, one outcome
    broker.enqueue(sync_message(waiting, False, SyncItem(key="b", person_id="b"), "live"))
    later = time.time() + STALLED_AFTER_S + 5
    assert settle_stalled_live_runs(runs, broker, now=later) == [stalled]
    assert runs.progress(stalled) == (1, 1)
    assert "2 counted message(s) were never enqueued" in runs.meta(stalled).note
    assert aggregator_messages(client) == [stalled]
    assert settle_stalled_live_runs(runs, broker, now=later) == []  # already ended


def outcome(key: str) -> PersonOutcome:
    return PersonOutcome(key=key, status="unchanged")


def aggregator_messages(client: redis.Redis) -> list[str]:
    """The run ids of the aggregator messages on the runs queue."""
    queue = f"{constants.DRAMATIQ_NAMESPACE}:{constants.RUNS_QUEUE}"
    bodies = [json.loads(body) for body in client.hvals(f"{queue}.msgs")]
    return [body["args"][0] for body in bodies if body["actor_name"] == constants.AGGREGATE_ACTOR]
