"""`hopsync runs show` says which configuration version a run planned with (text and JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from harness.world import Simulation, start_simulation
from shared.core.models import PersonOutcome
from shared.core.summary import build_summary
from shared.infra.runs import RunStore
from tests.producers.ops.support import ok


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path, redis_url, people=5, existing=0.0)
    yield simulation
    simulation.close()


@pytest.fixture
def store(sim: Simulation) -> RunStore:
    return RunStore(redis.Redis.from_url(sim.redis_url))


def test_a_finished_run_shows_its_version(sim: Simulation, store: RunStore) -> None:
    meta = store.create("resync", config_version=4)
    outcomes = [PersonOutcome(key="p1", status="created")]
    store.seal(meta.run_id, 1)
    store.record(meta.run_id, outcomes)
    store.save_summary(build_summary(meta, outcomes, meta.created_at + timedelta(seconds=1)))
    assert "configuration: version 4" in ok(sim.env, "runs", "show", meta.run_id)
    shown = json.loads(ok(sim.env, "runs", "show", meta.run_id, "--json"))
    assert (shown["config_version"], shown["config_draft"]) == (4, False)


def test_a_running_dry_run_of_a_draft_says_so(sim: Simulation, store: RunStore) -> None:
    meta = store.create("resync", dry_run=True, config_version=2, config_draft=True)
    store.seal(meta.run_id, 3)
    assert "configuration: draft 2 (not saved)" in ok(sim.env, "runs", "show", meta.run_id)
    shown = json.loads(ok(sim.env, "runs", "show", meta.run_id, "--json"))
    assert (shown["config_version"], shown["config_draft"]) == (2, True)
