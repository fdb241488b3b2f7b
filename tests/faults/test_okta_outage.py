"""Okta answering 500s: an outage is ridden out; a person who keeps failing is dead-lettered."""

from __future__ import annotations

import pytest

from shared.infra.deadletters import DeadLetterStore
from tests.e2e.conftest import assert_in_sync, desired_state, okta_state
from tests.faults.conftest import Build, refuse_writes_to

pytestmark = pytest.mark.slow
PEOPLE = 1000


def server_errors(world_counters: dict[tuple[str, int], int]) -> int:
    return sum(n for (_, status), n in world_counters.items() if status >= 500)


def test_a_thirty_percent_outage_is_ridden_out_and_everyone_is_applied(arena: Build) -> None:
    world = arena(people=PEOPLE, existing=0.5, drifted=0.5)
    world.wait_for_workers(2)
    run = world.start_run()
    world.sim.okta.set_error_rate(0.3)
    try:
        # the outage lasts until most of the run has gone through it
        world.wait_for_progress(run.run_id, PEOPLE * 6 // 10)
    finally:
        world.sim.okta.set_error_rate(0.0)
    summary = world.wait(run.run_id, timeout_s=110)
    given = server_errors(world.sim.okta.counters().statuses)
    assert given > 100  # the outage really hit the run
    assert sum(summary.counts.values()) == PEOPLE
    assert summary.counts["failed"] == 0
    assert DeadLetterStore(world.runs.client).count() == 0
    desired, state = desired_state(world.sim), okta_state(world.sim)
    deferred = {o.match_value for o in summary.changes if o.status == "deferred"}
    assert set(desired) - set(state) == deferred
    assert_in_sync(world.sim, set(desired) & set(state))
    print(f"\n{given} server errors given; run took {summary.duration_s:.1f} s")


def test_a_person_whose_writes_keep_failing_is_dead_lettered_and_counted_failed(
    arena: Build,
) -> None:
    victims: set[str] = set()
    world = arena(
        people=PEOPLE,
        existing=1.0,
        drifted=0.5,
        missing_groups=0,
        okta_middlewares=[refuse_writes_to(victims)],
        config={"okta": {"max_retries": 1}},
    )
    victim = sorted(world.sim.seed_report.drifted_keys)[0]
    login = world.sim.charthop.people[victim]["contact"]["workEmail"]
    victims.add(world.sim.okta.user(login).id)
    world.wait_for_workers(2)
    run = world.start_run()
    summary = world.wait(run.run_id, timeout_s=110)
    failed = [o for o in summary.changes if o.status == "failed"]
    assert [o.key for o in failed] == [victim]
    assert "OktaServerError" in (failed[0].reason or "")
    letters = DeadLetterStore(world.runs.client).entries()
    assert [letter.item_key for letter in letters] == [victim]
    assert summary.counts["updated"] == len(world.sim.seed_report.drifted_keys) - 1
    others = set(desired_state(world.sim)) & set(okta_state(world.sim))
    assert_in_sync(world.sim, others - {login.casefold()})
