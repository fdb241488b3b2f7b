"""kill -9 of a worker process in the middle of a 2,000-person, change-heavy resync.

Dramatiq's main process does not restart a dead worker: it stops the sibling and exits, and the
supervisor (the container's restart policy) starts a new fleet. The killed worker's unacked
messages go back on the queue once its heartbeat is older than worker.heartbeat_timeout_ms.
"""

from __future__ import annotations

import time

import pytest

from shared.deadletters import DeadLetterStore
from tests.faults.conftest import Build, assert_ended_as_undisturbed, kill

pytestmark = pytest.mark.slow
PEOPLE = 2000
HEARTBEAT_MS = 3000


def test_a_worker_killed_mid_run_loses_no_one_and_creates_no_one_twice(arena: Build) -> None:
    world = arena(
        people=PEOPLE,
        existing=0.5,
        drifted=0.5,
        config={"worker": {"heartbeat_timeout_ms": HEARTBEAT_MS}},
    )
    before = {user.login.casefold() for user in world.sim.okta.users()}
    victim, *_ = world.wait_for_workers(2)
    run = world.start_run()
    done_at_kill = world.wait_for_progress(run.run_id, PEOPLE // 5)
    killed_at = time.monotonic()
    kill(victim)
    assert world.fleet.process is not None
    # Dramatiq stops the whole fleet when one worker dies; nothing restarts it in-process.
    assert world.fleet.process.wait(30) != 0
    fleet_down_s = time.monotonic() - killed_at
    world.replace_fleet()
    summary = world.wait(run.run_id, timeout_s=120)
    recovered_s = time.monotonic() - killed_at

    assert done_at_kill < PEOPLE, "the kill landed after the run had finished"
    assert sum(summary.counts.values()) == run.expected == PEOPLE
    failed = [(o.key, o.reason) for o in summary.changes if o.status == "failed"]
    assert failed == []
    assert_ended_as_undisturbed(world.sim, summary, before)
    created = {user.login.casefold() for user in world.sim.okta.users()} - before
    print(
        f"\nkilled after {done_at_kill} outcomes; fleet down {fleet_down_s:.1f} s"
        f" and summary {recovered_s:.1f} s after the kill"
    )
    reported = {o.match_value for o in summary.changes if o.status == "created"}
    # A user the killed worker created is redelivered, found in sync and reported "unchanged".
    assert created - reported == set(), "created in Okta but not reported created"


def test_a_fleet_stopped_gracefully_mid_run_fails_no_one(arena: Build) -> None:
    world = arena(people=PEOPLE, existing=0.5, drifted=0.5)
    world.wait_for_workers(2)
    run = world.start_run()
    world.wait_for_progress(run.run_id, PEOPLE // 5)
    world.fleet.stop()  # SIGTERM, as a deploy or `docker compose stop` sends it
    world.replace_fleet()
    summary = world.wait(run.run_id, timeout_s=120)
    assert sum(summary.counts.values()) == PEOPLE
    failed = [(o.key, o.reason) for o in summary.changes if o.status == "failed"]
    # Messages in flight at SIGTERM must finish or be retried, never fail for good.
    assert failed == []
    assert DeadLetterStore(world.runs.client).count() == 0
