"""429 storms of both kinds mid-run: the client waits them out and no request is lost.

Windows are two seconds long so that a per-minute 429's Reset is near, as it is late in a window.
The storm lasts a number of requests, not seconds: on a busy machine a few seconds may pass with
every worker waiting for its window, and a storm of seconds would then hit nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest

from sim.okta.faults import StormKind
from tests.e2e.conftest import assert_in_sync, desired_state, okta_state
from tests.faults.conftest import Build

pytestmark = pytest.mark.slow
PEOPLE = 1000
STORM_REQUESTS = 30  # about two rounds of every worker thread


@pytest.mark.parametrize("kind", ["per_minute", "concurrency"])
def test_a_storm_of_429s_is_obeyed_and_loses_no_request(arena: Build, kind: StormKind) -> None:
    world = arena(
        people=PEOPLE,
        existing=0.5,
        drifted=0.5,
        okta_settings={"window_s": 2.0, "concurrency_reset_s": 2.0},
    )
    before = {user.login.casefold() for user in world.sim.okta.users()}
    world.wait_for_workers(2)
    run = world.start_run()
    world.wait_for_progress(run.run_id, PEOPLE // 10)
    world.sim.okta.start_storm(kind, requests=STORM_REQUESTS)
    summary = world.wait(run.run_id, timeout_s=110)

    counters = world.sim.okta.counters()
    assert counters.rate_limited[kind] == STORM_REQUESTS  # the storm hit the run
    assert sum(summary.counts.values()) == PEOPLE
    assert summary.counts["failed"] == 0
    logins = [user.login.casefold() for user in world.sim.okta.users()]
    assert [login for login, n in Counter(logins).items() if n > 1] == []
    assert counters.users_created == len(set(logins) - before) == summary.counts["created"]
    desired, state = desired_state(world.sim), okta_state(world.sim)
    deferred = {o.match_value for o in summary.changes if o.status == "deferred"}
    assert set(desired) - set(state) == deferred
    assert_in_sync(world.sim, set(desired) & set(state))
    print(f"\n{counters.rate_limited[kind]} {kind} 429s; run took {summary.duration_s:.1f} s")
