"""End-to-end fixtures: a simulated world, real Dramatiq worker processes, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from harness.world import Simulation, WorkerFleet, start_simulation
from producers.cli import main
from shared.core.models import RunSummary
from tests.contract.validator import ContractRecorder

World = Callable[..., Simulation]
# For tests that deliberately change far more than a day would (create a whole org into an empty
# Okta, drift a third of it) or that test the path without limits: safety limits off, explicitly.
NO_LIMITS: dict[str, Any] = {"settings": {"safety": None}}
fleets: list[WorkerFleet] = []  # the worker fleets of the running test, newest last


@pytest.fixture
def world(tmp_path: Path, redis_url: str) -> Iterator[World]:
    """Build a simulation (contract-checked fake Okta) with worker processes running on it."""
    started: list[tuple[Simulation, WorkerFleet, ContractRecorder]] = []
    fleets.clear()

    def build(**options: Any) -> Simulation:
        recorder = ContractRecorder()
        middlewares = [recorder.middleware, *options.pop("okta_middlewares", ())]
        simulation = start_simulation(
            tmp_path / f"world{len(started)}",
            redis_url,
            okta_middlewares=middlewares,
            **options,
        )
        fleet = WorkerFleet(
            simulation.env, processes=2, threads=4, log_path=tmp_path / f"workers{len(started)}.log"
        ).start()
        started.append((simulation, fleet, recorder))
        fleets.append(fleet)
        return simulation

    yield build
    for simulation, fleet, recorder in started:
        fleet.stop()
        simulation.close()
        recorder.assert_clean()


def resync(simulation: Simulation, *args: str, code: int = 0) -> RunSummary:
    """Run `hopsync resync --wait --json`, require exit ``code``, and return the summary."""
    result = CliRunner().invoke(
        main,
        ["resync", "--wait", "--json", "--timeout", "90", *args],
        env=simulation.env,
        catch_exceptions=False,
    )
    assert result.exit_code == code, result.output
    return RunSummary.model_validate(json.loads(result.stdout))


def okta_state(simulation: Simulation) -> dict[str, tuple[dict[str, Any], set[str], str]]:
    """Login -> (profile, managed group names, status) as the fake Okta holds them now."""
    managed = set(simulation.rules().groups)
    groups = {g.id: g.profile.name for g in simulation.okta.groups() if g.profile.name in managed}
    state: dict[str, tuple[dict[str, Any], set[str], str]] = {}
    for user in simulation.okta.users():
        state[user.profile["login"].casefold()] = (dict(user.profile), set(), user.status)
    for group_id, name in groups.items():
        for member in simulation.okta.members(group_id):
            state[member.profile["login"].casefold()][1].add(name)
    return state


def desired_state(simulation: Simulation) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Login -> (profile, managed groups) that the rules give for every syncable person."""
    rules = simulation.rules()
    desired: dict[str, tuple[dict[str, Any], set[str]]] = {}
    for person in simulation.charthop.people.values():
        login = rules.match_value(person)
        if login is None:
            continue
        prepared = rules.prepare(person)
        profile = {k: v for k, v in rules.desired_profile(prepared).items() if v is not None}
        desired[login] = (profile, rules.desired_groups(prepared))
    return desired


def assert_in_sync(simulation: Simulation, logins: set[str]) -> None:
    """Every given login's Okta profile and managed groups are what the rules say."""
    okta = okta_state(simulation)
    desired = desired_state(simulation)
    for login in logins:
        profile, groups = desired[login]
        actual_profile, actual_groups, _ = okta[login]
        kept = {
            k: v
            for k, v in actual_profile.items()
            if k in profile or k in simulation.rules().fields
        }
        assert {k: v for k, v in kept.items() if v not in (None, "")} == profile, login
        assert actual_groups == groups, login
