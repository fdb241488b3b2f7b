"""Leavers and rehires end to end: the resync, real worker processes and the fake Okta.

The configured time zone is chosen so that it is early afternoon there now: a leaver due this
morning is acted on, one due at the next hour waits, whatever the hour the tests run at.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from redis import Redis

from harness.world import Simulation
from producers.cli import main
from producers.ops.approval import approve
from producers.ops.terminal import wait_for_summary
from shared.core.models import PersonOutcome, RunSummary
from shared.infra.lifecycle_store import LifecycleStore
from shared.infra.runs import RunStore
from tests.e2e.conftest import World, resync

pytestmark = pytest.mark.slow


def afternoon_zone() -> tuple[str, datetime]:
    """A fixed-offset zone where it is now between 12:00 and 12:59, and the time there."""
    now = datetime.now(UTC)
    offset = 12 - now.hour  # Etc/GMT-N is N hours ahead of UTC (POSIX sign)
    if offset > 14:
        offset -= 24
    if offset < -12:
        offset += 24
    name = "Etc/GMT" + ("" if offset == 0 else f"{-offset:+d}")
    return name, now.astimezone(ZoneInfo(name))


def leavers_config(action: str, **extra: Any) -> tuple[dict[str, Any], datetime]:
    zone, local = afternoon_zone()
    leavers = {"action": action, "time_of_day": f"{local.hour + 1:02d}:00", **extra}
    return {"settings": {"timezone": zone, "leavers": leavers}}, local


def individual_contributors(sim: Simulation, count: int) -> list[dict[str, Any]]:
    """People with an Okta user in a managed group, no reports and a manager (departing moves
    nobody)."""
    logins = {
        member.login.casefold() for group in managed(sim) for member in sim.okta.members(group.id)
    }
    found = [
        person
        for person in sorted(sim.charthop.people.values(), key=lambda p: p["id"])
        if not person["directReports"] and "manager" in person
        and str(person.get("contact", {}).get("workEmail", "")).casefold() in logins
        and person.get("startDate", "") <= date.today().isoformat()
    ]  # fmt: skip
    return found[:count]


def login_of(person: dict[str, Any]) -> str:
    return str(person["contact"]["workEmail"]).casefold()


def outcome(summary: RunSummary, person: dict[str, Any]) -> PersonOutcome:
    return next(o for o in summary.changes if o.key == person["id"])


def lifecycle_calls(sim: Simulation) -> dict[tuple[str, str], int]:
    return dict(sim.okta.counters().lifecycle)


def test_a_leaver_is_deactivated_once_at_the_local_time_and_a_contractor_is_untouched(
    world: World,
) -> None:
    config, local = leavers_config("deactivate")
    sim = world(people=40, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    due, waiting = individual_contributors(sim, 2)
    today = local.date()
    sim.charthop.depart(due["id"], on=today - timedelta(days=2))  # acted on from this morning
    sim.charthop.depart(waiting["id"], on=today - timedelta(days=1))  # from the next hour
    contractor = sim.okta.add_user({"login": "temp@contractors.example", "email": "t@c.example"})
    due_user = sim.okta.user(login_of(due))
    assert due_user.status == "ACTIVE"

    dry = resync(sim, "--dry-run")
    assert sim.okta.counters().writes == 0
    planned = outcome(dry, due)
    assert planned.status == "deactivated" and planned.groups_removed
    assert planned.reason == (
        "no longer among ChartHop's active people (end date "
        f"{(today - timedelta(days=2)).isoformat()})"
    )
    assert outcome(dry, waiting).status == "deferred"
    assert f"{local.hour + 1:02d}:00" in str(outcome(dry, waiting).reason)

    done = resync(sim)
    assert done.counts["deactivated"] == 1 and outcome(done, waiting).status == "deferred"
    assert sim.okta.user(due_user.id).status == "DEPROVISIONED"
    assert sim.okta.user(login_of(waiting)).status == "ACTIVE"
    assert not any(due_user.id in {m.id for m in sim.okta.members(g.id)} for g in managed(sim))
    again = resync(sim)
    assert again.counts["deactivated"] == 0
    assert lifecycle_calls(sim) == {(due_user.id, "deactivate"): 1}
    assert sim.okta.user(contractor.id).status == "ACTIVE"
    assert all(contractor.id not in key for key in lifecycle_calls(sim))

    sim.okta.admin_lifecycle(due_user.id, "activate")  # an Okta admin brings them back by hand
    after_admin = resync(sim)
    assert sim.okta.user(due_user.id).status == "ACTIVE"
    assert lifecycle_calls(sim) == {(due_user.id, "deactivate"): 1}
    assert after_admin.counts["deactivated"] == 0


def managed(sim: Simulation) -> list[Any]:
    names = set(sim.rules().groups)
    return [group for group in sim.okta.groups() if group.profile.name in names]


def test_a_suspended_leaver_who_returns_is_unsuspended_and_updated(world: World) -> None:
    config, local = leavers_config("suspend")
    sim = world(people=40, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    (person,) = individual_contributors(sim, 1)
    sim.charthop.depart(person["id"], on=local.date() - timedelta(days=3))
    user = sim.okta.user(login_of(person))
    groups_before = {g.profile.name for g in managed(sim) if user.id in ids(sim, g.id)}
    assert resync(sim).counts["suspended"] == 1
    assert sim.okta.user(user.id).status == "SUSPENDED"
    record = LifecycleStore(Redis.from_url(sim.redis_url)).get(user.id)
    assert record is not None and record.action == "suspended"

    sim.charthop.hire({**person, "title": "Returning Engineer"})
    back = resync(sim)
    assert outcome(back, person).status == "reactivated"
    rehired = sim.okta.user(user.id)
    assert (rehired.status, rehired.profile["title"]) == ("ACTIVE", "Returning Engineer")
    assert {g.profile.name for g in managed(sim) if user.id in ids(sim, g.id)} == groups_before
    assert lifecycle_calls(sim) == {(user.id, "suspend"): 1, (user.id, "unsuspend"): 1}
    assert LifecycleStore(Redis.from_url(sim.redis_url)).get(user.id) is None


def ids(sim: Simulation, group_id: str) -> set[str]:
    return {member.id for member in sim.okta.members(group_id)}


def test_a_deactivated_leaver_who_returns_is_reactivated_without_an_email_and_updated(
    world: World,
) -> None:
    config, local = leavers_config("deactivate")
    sim = world(people=40, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    (person,) = individual_contributors(sim, 1)
    sim.charthop.depart(person["id"], on=local.date() - timedelta(days=3))
    user = sim.okta.user(login_of(person))
    assert resync(sim).counts["deactivated"] == 1
    sim.charthop.hire({**person, "title": "Returning Engineer"})
    back = resync(sim)
    assert outcome(back, person).status == "reactivated"
    rehired = sim.okta.user(user.id)
    assert (rehired.status, rehired.profile["title"]) == ("ACTIVE", "Returning Engineer")
    activations = [r for r in sim.okta.counters().log if r.path.endswith("/lifecycle/activate")]
    assert len(activations) == 1 and activations[0].status == 200
    assert lifecycle_calls(sim) == {(user.id, "deactivate"): 1, (user.id, "activate"): 1}


def test_a_mass_departure_is_held_by_max_deactivations_and_applied_on_approval(
    world: World,
) -> None:
    config, local = leavers_config("deactivate")
    sim = world(people=60, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    leavers = individual_contributors(sim, 7)
    for person in leavers:
        sim.charthop.depart(person["id"], on=local.date() - timedelta(days=5))
    result = CliRunner().invoke(main, ["resync", "--json"], env=sim.env, catch_exceptions=False)
    run_id = json.loads(result.stdout)["run_id"]
    runs = RunStore(Redis.from_url(sim.redis_url))
    held = wait_for_summary(runs, run_id, timeout_s=60)
    assert held.status == "held" and held.counts["deactivated"] == 7
    assert "7 suspensions/deactivations planned, limit max_deactivations 5 or 2%" in (
        runs.meta(run_id).note
    )
    assert sim.okta.counters().writes == 0
    approved = CliRunner().invoke(approve, [run_id], env=sim.env, catch_exceptions=False)
    assert approved.exit_code == 0, approved.output
    done = wait_for_summary(runs, run_id, timeout_s=90)
    assert done.status == "completed" and done.counts["deactivated"] == 7
    statuses = {sim.okta.user(login_of(person)).status for person in leavers}
    assert statuses == {"DEPROVISIONED"}


def test_live_departures_count_against_max_deactivations_over_the_rolling_hour(
    world: World,
) -> None:
    import asyncio
    from unittest import mock

    from config.loader import load_config
    from producers.resync import Producer
    from shared.core.models import SyncItem
    from shared.infra.broker import build_broker
    from shared.infra.clients import open_clients

    config, local = leavers_config("deactivate")
    config["settings"]["safety"] = {"max_deactivations": "2"}
    sim = world(people=40, existing=1.0, drifted=0.0, missing_groups=0, config=config)
    leavers = individual_contributors(sim, 3)
    for person in leavers:
        sim.charthop.depart(person["id"], on=local.date() - timedelta(days=2))
    runs = RunStore(Redis.from_url(sim.redis_url))

    async def live(items: list[SyncItem]) -> str:  # what the webhook's flusher enqueues
        with mock.patch.dict("os.environ", sim.env):
            loaded = load_config(str(sim.config_path))
        client = Redis.from_url(sim.redis_url)
        clients = await open_clients(loaded)
        try:
            producer = Producer(
                sim.rules(), RunStore(client), build_broker(client=client), clients.okta,
                clients.charthop,
            )  # fmt: skip
            run = producer.runs.create("live")
            producer.enqueue(run, items)
            return run.run_id
        finally:
            await clients.close()

    departures = [SyncItem(key=f"{p['id']}@depart", person_id=p["id"], snapshot=False)
                  for p in leavers]  # fmt: skip
    run_id = asyncio.run(live(departures))
    summary = wait_for_summary(runs, run_id, timeout_s=60)
    assert summary.counts["deactivated"] == 2 and summary.counts["held"] == 1
    held = next(o for o in summary.changes if o.status == "held")
    assert "2 suspensions/deactivations in the last hour, limit allows 2" in str(held.reason)
    approved = CliRunner().invoke(approve, [run_id], env=sim.env, catch_exceptions=False)
    assert approved.exit_code == 0, approved.output
    replay = runs.recent(1)[0]
    assert wait_for_summary(runs, replay.run_id, timeout_s=60).counts["deactivated"] == 1
    assert {sim.okta.user(login_of(p)).status for p in leavers} == {"DEPROVISIONED"}
