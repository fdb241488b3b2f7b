"""okta(manager, ...) end to end: managers' Okta ids and logins in reports' profiles, a new manager
and a new report created in one run, resolved from the snapshot without reading users one by one."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.world import Simulation
from tests.e2e.conftest import NO_LIMITS, World, resync

pytestmark = pytest.mark.slow
MANAGERS = {
    "profile_fields": {"managerId": 'okta(manager, "id")', "manager": 'okta(manager, "login")'}
}
ONE_USER = re.compile(r"^/api/v1/users/[^/]+$")


def newcomer(template: dict[str, Any], person_id: str, manager_id: str) -> dict[str, Any]:
    person = {k: v for k, v in template.items() if k not in ("manager", "directReports")}
    return {
        **person,
        "id": person_id,
        "jobId": f"job-{person_id}",
        "name": {"first": "New", "last": person_id.title()},
        "contact": {"workEmail": f"{person_id}@acme.example"},
        "startDate": "2020-01-01",
        "startDateOrg": "2020-01-01",
        "manager": {"id": manager_id},
    }


def users_by_login(sim: Simulation) -> dict[str, Any]:
    return {user.login.casefold(): user for user in sim.okta.users()}


def assert_managers_right(sim: Simulation) -> None:
    users = users_by_login(sim)
    checked = 0
    for person in sim.charthop.people.values():
        login = str(person.get("contact", {}).get("workEmail", "")).casefold()
        manager = sim.charthop.people.get(person.get("manager", {}).get("id", ""))
        if login not in users or manager is None:
            continue
        boss = users[str(manager["contact"]["workEmail"]).casefold()]
        profile = users[login].profile
        assert (profile.get("managerId"), profile.get("manager")) == (boss.id, boss.login), login
        checked += 1
    assert checked > 0


def test_a_new_manager_and_report_are_created_in_one_run_with_the_manager_s_okta_id(
    world: World,
) -> None:
    # The first run fills the new manager attributes of everyone, far past max_updates on purpose.
    config = {**MANAGERS, **NO_LIMITS}
    sim = world(people=40, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    first = resync(sim)
    assert first.counts["updated"] > 0 and first.counts["failed"] == 0, first.model_dump_json()[
        :1500
    ]
    assert_managers_right(sim)

    people = sorted(sim.charthop.people.values(), key=lambda p: p["id"])
    boss = next(p for p in people if p["directReports"])
    moved = next(p for p in people if not p["directReports"] and "manager" in p)
    sim.charthop.hire(newcomer(boss, "newboss", boss["id"]))
    sim.charthop.hire(newcomer(moved, "newreport", "newboss"))
    sim.charthop.update_person(moved["id"], {"manager.id": "newboss"})
    sim.okta.reset_counters()

    dry = resync(sim, "--dry-run")
    assert sim.okta.counters().writes == 0
    planned = {o.key: o for o in dry.changes}
    assert planned["newboss"].status == planned["newreport"].status == "created"
    assert "managerId" not in {c.attribute for c in planned["newreport"].changes}

    done = resync(sim)
    created = {o.key: o for o in done.changes if o.status == "created"}
    assert set(created) == {"newboss", "newreport"} and done.counts["failed"] == 0
    users = users_by_login(sim)
    new_boss = users["newboss@acme.example"]
    report = users["newreport@acme.example"].profile
    assert (report["managerId"], report["manager"]) == (new_boss.id, new_boss.login)
    mover = users[str(moved["contact"]["workEmail"]).casefold()].profile
    assert mover["managerId"] == new_boss.id
    assert_managers_right(sim)
    reads = [r for r in sim.okta.counters().log if r.method == "GET" and ONE_USER.match(r.path)]
    assert reads == []  # resolved from the snapshot and the run's outcomes
    assert resync(sim).okta_writes == 0  # and right: the next run has nothing to change
