"""The janitor re-enqueues the aggregator of a run stranded by a crash, once."""

from __future__ import annotations

import redis

from producers.janitor import repair_stranded_runs
from shared import constants
from shared.broker import build_broker
from shared.models import PersonOutcome
from shared.runs import RunStore


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
