"""`hopsync runs show` says which configuration version a run planned with (text and JSON)."""

from __future__ import annotations

import json
from datetime import timedelta

from harness.world import Simulation
from shared.core.models import PersonOutcome
from shared.core.summary import build_summary
from shared.infra.runs import RunStore
from tests.producers.ops.support import ok


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
