"""Runs in Redis: the count completes exactly once, whatever the order and redeliveries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from shared.core.models import PersonOutcome
from shared.errors import RunNotFoundError
from shared.infra.runs import RunStore


@pytest.fixture
def runs(redis_url: str) -> Iterator[RunStore]:
    client = redis.Redis.from_url(redis_url)
    yield RunStore(client)
    client.close()


def outcome(key: str, status: str = "unchanged") -> PersonOutcome:
    return PersonOutcome(key=key, status=status)  # type: ignore[arg-type]


def test_the_last_outcome_makes_the_aggregator_due_exactly_once(runs: RunStore) -> None:
    run = runs.create("resync")
    assert runs.seal(run.run_id, 3) is False
    assert runs.record(run.run_id, [outcome("a")]) is False
    assert runs.record(run.run_id, [outcome("b")]) is False
    assert runs.record(run.run_id, [outcome("c")]) is True
    runs.mark_aggregate_enqueued(run.run_id)
    assert runs.record(run.run_id, [outcome("c")]) is False


def test_a_redelivered_outcome_overwrites_instead_of_counting_twice(runs: RunStore) -> None:
    run = runs.create("resync")
    runs.seal(run.run_id, 2)
    runs.record(run.run_id, [outcome("a", "failed")])
    assert runs.record(run.run_id, [outcome("a", "updated")]) is False
    assert runs.progress(run.run_id) == (1, 2)
    assert [o.status for o in runs.outcomes(run.run_id)] == ["updated"]


def test_outcomes_before_the_seal_complete_the_run_at_the_seal(runs: RunStore) -> None:
    run = runs.create("live")
    runs.record(run.run_id, [outcome("a"), outcome("b")])
    assert runs.progress(run.run_id) == (2, None)
    assert runs.seal(run.run_id, 2) is True


def test_an_empty_run_is_due_when_sealed(runs: RunStore) -> None:
    run = runs.create("resync")
    assert runs.seal(run.run_id, 0) is True


def test_an_unknown_run_says_how_to_list_runs(runs: RunStore) -> None:
    with pytest.raises(RunNotFoundError, match="hopsync runs"):
        runs.meta("resync-nope")


def test_recent_runs_come_newest_first(runs: RunStore) -> None:
    first = runs.create("resync")
    second = runs.create("replay")
    assert [meta.run_id for meta in runs.recent(2)] == [second.run_id, first.run_id]


def test_run_keys_expire_after_the_ttl(runs: RunStore) -> None:
    run = runs.create("resync")
    runs.record(run.run_id, [outcome("a")])
    from shared import constants

    assert 0 < runs.client.ttl(constants.run_key(run.run_id)) <= 30 * 86400
    assert 0 < runs.client.ttl(constants.run_outcomes_key(run.run_id)) <= 30 * 86400


def test_a_run_whose_aggregator_was_due_long_ago_is_found_stranded(runs: RunStore) -> None:
    run = runs.create("resync")
    runs.seal(run.run_id, 1)
    assert runs.record(run.run_id, [outcome("a")]) is True  # the caller then "dies"
    assert runs.stranded(older_than_s=60) == []
    assert runs.stranded(older_than_s=-1) == [run.run_id]
    runs.mark_aggregate_enqueued(run.run_id)
    assert runs.stranded(older_than_s=-1) == []
