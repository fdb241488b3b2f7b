"""Versioned configuration end to end: real workers plan with the version their run pinned.

Workers here boot on one version while runs pin another: what a run does is decided by the
version it started with, whatever is active when its messages are processed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from click.testing import CliRunner, Result

from harness.world import Simulation, WorkerFleet, merge_config, start_simulation
from producers.cli import main
from producers.ops.terminal import wait_for_summary
from shared.core.models import RunMeta, RunSummary
from shared.infra.runs import RunStore
from tests.e2e.conftest import (
    NO_LIMITS,
    World,
    assert_in_sync,
    desired_state,
    okta_state,
    resync,
)

pytestmark = pytest.mark.slow

# Version 2 moves the Engineering group to sales people and titles to department names;
# version 3 makes Managers the engineers. Each changes the plan of many people.
V2: dict[str, Any] = {
    "profile_fields": {"title": "department.name"},
    "groups": [
        {"name": "Engineering", "query": 'department:sales,"customer success"'},
        {"name": "Managers", "query": "is:manager"},
        {"name": "Sales", "query": 'department:sales,"customer success"'},
        {"name": "London", "query": "location.address.city:london"},
        {"name": "Remote", "query": "location.name:remote"},
    ],
}
V3: dict[str, Any] = {
    "groups": [
        {"name": "Engineering", "query": "department:engineering"},
        {"name": "Managers", "query": "department:engineering"},
        {"name": "Sales", "query": 'department:sales,"customer success"'},
        {"name": "London", "query": "location.address.city:london"},
        {"name": "Remote", "query": "location.name:remote"},
    ],
}


def hopsync(sim: Simulation, *args: str) -> Result:
    """Run `hopsync ARGS` against a simulation."""
    return CliRunner().invoke(main, list(args), env=sim.env, catch_exceptions=False)


def variant(sim: Simulation, tmp_path: Path, name: str, overrides: dict[str, Any]) -> Simulation:
    """The simulation with another configuration, written to ``tmp_path/name``."""
    raw = merge_config(sim.config, overrides)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return dataclasses.replace(sim, config=raw, config_path=path)


def logins(sim: Simulation) -> set[str]:
    return set(desired_state(sim)) & set(okta_state(sim))


def plan(summary: RunSummary) -> list[tuple[Any, ...]]:
    return sorted(
        (
            o.key,
            o.status,
            tuple(map(str, o.changes)),
            tuple(o.groups_added),
            tuple(o.groups_removed),
        )
        for o in summary.changes
    )


@pytest.fixture
def idle_sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    """A simulation with no workers yet, Okta in step with its configuration but for drift."""
    sim = start_simulation(
        tmp_path / "world", redis_url, people=200, existing=1.0, drifted=0.3, missing_groups=0
    )
    yield sim
    sim.close()


def test_a_resync_plans_everyone_with_its_version_though_two_saves_follow(
    idle_sim: Simulation, tmp_path: Path
) -> None:
    sim = idle_sim
    v2, v3 = variant(sim, tmp_path, "v2.yaml", V2), variant(sim, tmp_path, "v3.yaml", V3)
    started = RunMeta.model_validate_json(hopsync(sim, "resync", "--json").stdout)
    assert started.config_version == 1  # the file, saved as version 1 on first use
    assert hopsync(sim, "config", "apply", str(v2.config_path)).exit_code == 0
    assert hopsync(sim, "config", "apply", str(v3.config_path)).exit_code == 0
    # The workers boot on version 3, the active one, while every message of the run names 1.
    with WorkerFleet(sim.env, processes=2, threads=4, log_path=tmp_path / "workers.log"):
        runs = RunStore(redis.Redis.from_url(sim.redis_url))
        summary = wait_for_summary(runs, started.run_id, timeout_s=90)
    assert (summary.config_version, summary.config_draft) == (1, False)
    assert summary.counts["failed"] == 0 and summary.counts["updated"] > 0
    assert_in_sync(sim, logins(sim))  # everyone as version 1 says
    assert desired_state(sim) != desired_state(v2) != desired_state(v3)  # the saves mattered


def test_a_dry_run_of_a_file_shows_the_writes_that_applying_it_then_makes(
    world: World, tmp_path: Path
) -> None:
    # The versions swap whole groups and retitle everyone on purpose: no safety limits.
    sim = world(people=300, existing=1.0, drifted=0.0, missing_groups=0, config=NO_LIMITS)
    assert resync(sim).okta_writes == 0  # the workers run version 1, and Okta is in step with it
    candidate = variant(sim, tmp_path, "candidate.yaml", V2)
    dry = resync(sim, "--dry-run", "--config", str(candidate.config_path))
    assert (dry.config_version, dry.config_draft) == (1, True)  # draft 1: nothing was saved
    assert dry.okta_writes > 50 and sim.okta.counters().writes == 0
    history = json.loads(hopsync(sim, "config", "history", "--json").stdout)
    assert [entry["version"] for entry in history] == [1]
    applied = hopsync(sim, "config", "apply", str(candidate.config_path), "--comment", "v2")
    assert applied.exit_code == 0, applied.output
    real = resync(sim)
    assert real.config_version == 2
    assert plan(real) == plan(dry)
    assert real.okta_writes == dry.okta_writes == sim.okta.counters().writes
    assert_in_sync(candidate, logins(candidate))


def test_rollback_restores_the_old_behaviour(world: World, tmp_path: Path) -> None:
    # The versions swap whole groups on purpose: no safety limits.
    sim = world(people=200, existing=1.0, drifted=0.0, missing_groups=0, config=NO_LIMITS)
    assert resync(sim).okta_writes == 0  # version 1, the file, which Okta is in step with
    changed = variant(sim, tmp_path, "v2.yaml", V3)
    assert hopsync(sim, "config", "apply", str(changed.config_path)).exit_code == 0
    moved = resync(sim)
    assert moved.config_version == 2 and moved.okta_writes > 0
    assert_in_sync(changed, logins(changed))
    rolled = hopsync(sim, "config", "rollback", "1")
    assert rolled.exit_code == 0, rolled.output
    assert "saved version 3, a copy of version 1" in rolled.stdout
    back = resync(sim)
    assert back.config_version == 3
    assert sorted((o.key, tuple(o.groups_added)) for o in back.changes) == sorted(
        (o.key, tuple(o.groups_removed)) for o in moved.changes
    )
    assert_in_sync(sim, logins(sim))


def test_a_broken_file_is_not_applied_and_exits_2(world: World, tmp_path: Path) -> None:
    sim = world(people=20, existing=1.0, drifted=0.0, missing_groups=0)
    assert resync(sim).config_version == 1
    broken = variant(sim, tmp_path, "broken.yaml", {"groups": [{"name": "X", "query": "a:("}]})
    result = hopsync(sim, "config", "apply", str(broken.config_path))
    assert result.exit_code == 2
    assert "groups[0].query" in result.stderr
    history = json.loads(hopsync(sim, "config", "history", "--json").stdout)
    assert [(entry["version"], entry["active"]) for entry in history] == [(1, True)]
