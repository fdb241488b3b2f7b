"""The actors as Dramatiq runs them: here the aggregator, called as its message would call it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import fakeredis
import pytest

from shared.constants import NOTIFY_ACTOR
from shared.core.models import PersonOutcome, RunSummary
from shared.infra.runs import RunStore
from workers import actors
from workers.runtime import install


class Sent:
    """A broker that keeps what is enqueued on it."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def enqueue(self, message: Any, **_options: Any) -> None:
        self.messages.append(message)


@pytest.fixture
def runs() -> Iterator[RunStore]:
    store = RunStore(fakeredis.FakeRedis())
    install(SimpleNamespace(runs=store))  # type: ignore[arg-type]  # the aggregator reads only runs
    yield store
    install(None)


def test_the_aggregator_reads_and_summarises_a_run_with_the_collector_paused(
    runs: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = runs.create("resync")
    outcomes = [PersonOutcome(key=f"p{n}", status="unchanged") for n in range(300)]
    runs.seal(run.run_id, len(outcomes))
    assert runs.record(run.run_id, outcomes)
    collector_on: list[bool] = []
    read, summarise = runs.outcomes, actors.build_summary

    def reading(run_id: str) -> list[PersonOutcome]:
        collector_on.append(gc.isenabled())
        return read(run_id)

    def summarising(*args: Any) -> RunSummary:
        collector_on.append(gc.isenabled())
        return summarise(*args)

    sent = Sent()
    monkeypatch.setattr(runs, "outcomes", reading)
    monkeypatch.setattr(actors, "build_summary", summarising)
    monkeypatch.setattr(actors.dramatiq, "get_broker", lambda: sent)
    assert gc.isenabled()
    actors.aggregate_run.fn(run.run_id)
    assert collector_on == [False, False]
    assert gc.isenabled()  # and on again once the summary is stored
    summary = runs.summary(run.run_id)
    assert summary is not None and summary.counts["unchanged"] == 300
    assert runs.meta(run.run_id).status == summary.status
    assert [message.actor_name for message in sent.messages] == [NOTIFY_ACTOR]
