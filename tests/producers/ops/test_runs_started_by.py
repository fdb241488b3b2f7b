"""Every run records who started it, and `hopsync runs show` says so (text and JSON)."""

from __future__ import annotations

import json
from datetime import timedelta

from harness.world import Simulation
from shared.core.summary import build_summary
from shared.infra.runs import RunStore, by_console
from tests.producers.ops.support import ok


def test_a_resync_from_the_command_line_records_who_ran_it(
    sim: Simulation, store: RunStore
) -> None:
    env = {**sim.env, "HOPSYNC_AUTHOR": "hr-ops"}  # else user@host, as config versions name it
    started = json.loads(ok(env, "resync", "--json"))
    assert store.meta(started["run_id"]).started_by == "cli:hr-ops"
    shown = ok(sim.env, "runs", "show", started["run_id"])
    assert "started by: cli:hr-ops" in shown
    listed = json.loads(ok(sim.env, "runs", "--json"))
    assert [row["started_by"] for row in listed] == ["cli:hr-ops"]


def test_a_finished_run_shows_its_starter_and_its_summary_keeps_it(
    sim: Simulation, store: RunStore
) -> None:
    meta = store.create("resync", started_by=by_console("ada"))
    store.seal(meta.run_id, 0)
    store.save_summary(build_summary(meta, [], meta.created_at + timedelta(seconds=1)))
    assert "started by: console:ada" in ok(sim.env, "runs", "show", meta.run_id)
    shown = json.loads(ok(sim.env, "runs", "show", meta.run_id, "--json"))
    assert shown["started_by"] == "console:ada"


def test_a_run_from_before_starters_were_recorded_says_not_recorded(
    sim: Simulation, store: RunStore
) -> None:
    meta = store.create("resync")
    store.seal(meta.run_id, 3)
    assert "started by: not recorded" in ok(sim.env, "runs", "show", meta.run_id)
