"""Resync end to end: real Dramatiq workers on real Redis against the simulators, 500 people."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from redis import Redis

from shared.infra.deadletters import DeadLetterStore
from sim.okta.buckets import BUCKET_LIMITS
from tests.e2e.conftest import (
    NO_LIMITS,
    World,
    assert_in_sync,
    desired_state,
    okta_state,
    resync,
)

pytestmark = pytest.mark.slow
PEOPLE = 500


def test_from_an_empty_okta_everyone_is_created_with_the_right_groups(world: World) -> None:
    sim = world(people=PEOPLE, existing=0.0, missing_groups=5, config=NO_LIMITS)
    summary = resync(sim)
    desired = desired_state(sim)
    deferred = summary.counts["deferred"]
    assert summary.counts["created"] == len(desired) - deferred
    assert summary.counts["failed"] == summary.counts["conflict"] == 0
    assert sorted(summary.groups_created) == sorted(sim.rules().groups)
    created = {o.match_value for o in summary.changes if o.status == "created"}
    assert_in_sync(sim, {login for login in created if login})
    counters = sim.okta.counters()
    assert counters.users_created == summary.counts["created"]
    # a create carries its groups: no membership calls were needed
    assert sum(n for (bucket, method), n in counters.calls.items() if method == "PUT") == 0


def test_an_okta_already_in_sync_costs_zero_writes(world: World) -> None:
    sim = world(people=PEOPLE, existing=1.0, drifted=0.0, missing_groups=0)
    summary = resync(sim)
    assert summary.okta_writes == 0
    assert sim.okta.counters().writes == 0
    assert summary.counts["updated"] == summary.counts["created"] == 0
    # reads are list pages, never one call per person
    calls = sum(sim.okta.counters().calls.values())
    assert calls < PEOPLE * 0.1


def test_drifted_fields_and_memberships_get_exactly_the_expected_diffs(world: World) -> None:
    sim = world(people=PEOPLE, existing=1.0, drifted=0.3, missing_groups=0)
    drifted = set(sim.seed_report.drifted_keys)
    summary = resync(sim)
    updated = {o.key for o in summary.changes if o.status == "updated"}
    assert updated == drifted
    assert summary.okta_writes == sim.okta.counters().writes
    assert_in_sync(sim, set(desired_state(sim)) & set(okta_state(sim)))
    again = resync(sim)
    assert again.counts["updated"] == 0 and again.okta_writes == 0


def test_a_dry_run_writes_nothing_and_plans_what_the_real_run_does(world: World) -> None:
    sim = world(people=PEOPLE, existing=0.5, drifted=0.3, config=NO_LIMITS)
    dry = resync(sim, "--dry-run")
    assert dry.dry_run is True
    assert sim.okta.counters().writes == 0
    real = resync(sim)

    def plan(summary):  # type: ignore[no-untyped-def]
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

    assert plan(dry) == plan(real)
    assert dry.okta_writes == real.okta_writes == sim.okta.counters().writes


def test_future_hires_wait_for_their_start_date_by_default(world: World) -> None:
    sim = world(people=PEOPLE, existing=0.0, future_start_share=0.05, config=NO_LIMITS)
    rules = sim.rules()
    future = {
        rules.match_value(p) for p in sim.charthop.people.values() if rules.starts_in_future(p)
    }
    assert future
    summary = resync(sim)
    assert summary.counts["deferred"] == len(future)
    assert not future & set(okta_state(sim))


def test_future_hires_are_created_staged_when_new_hires_sync_early(world: World) -> None:
    sim = world(
        people=PEOPLE,
        existing=0.0,
        future_start_share=0.05,
        config={"settings": {"sync_new_hires": True, "safety": None}},
    )
    rules = sim.rules()
    future = {
        rules.match_value(p) for p in sim.charthop.people.values() if rules.starts_in_future(p)
    }
    summary = resync(sim)
    assert summary.counts["deferred"] == 0
    state = okta_state(sim)
    assert {state[login][2] for login in future} == {"STAGED"}
    assert {status for login, (_, _, status) in state.items() if login not in future} == {"ACTIVE"}


def test_a_blank_location_is_remote_in_fields_and_groups(world: World) -> None:
    sim = world(people=PEOPLE, existing=0.0, config=NO_LIMITS)
    rules = sim.rules()
    blank = {
        rules.match_value(p)
        for p in sim.charthop.people.values()
        if "location" not in p and not rules.starts_in_future(p)
    }
    assert blank
    resync(sim)
    state = okta_state(sim)
    for login in blank:
        profile, groups, _ = state[login]
        assert profile["city"] == "Remote"
        assert "Remote" in groups


def test_conflicts_and_unmatched_people_are_reported_and_skipped(world: World) -> None:
    sim = world(
        people=PEOPLE,
        existing=0.5,
        drifted=0.0,  # the test is about who is skipped; drift would only trip safety limits
        no_email_share=0.02,
        config={"settings": {"create_profiles": False}},
    )
    summary = resync(sim)
    no_email = [
        p for p in sim.charthop.people.values() if not p.get("contact", {}).get("workEmail")
    ]
    assert summary.counts["conflict"] == len(no_email) > 0
    assert summary.counts["unmatched"] > 0
    assert summary.counts["created"] == 0
    assert sim.okta.counters().users_created == 0


def test_a_message_that_fails_for_good_is_dead_lettered_counted_and_the_run_completes(
    world: World,
) -> None:
    victim_login: list[str] = []

    @web.middleware
    async def refuse_victim(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST" and request.path == "/api/v1/users" and victim_login:
            body = await request.read()
            if victim_login[0].encode() in body:
                reset = str(int(time.time()) + 60)
                headers = {
                    "X-Rate-Limit-Limit": "600",
                    "X-Rate-Limit-Remaining": "599",
                    "X-Rate-Limit-Reset": reset,
                }
                return web.json_response(OKTA_500, status=500, headers=headers)
        return await handler(request)

    sim = world(
        people=PEOPLE,
        existing=0.0,
        okta_middlewares=[refuse_victim],
        config={"okta": {"max_retries": 1}, **NO_LIMITS},
    )
    victim = sorted(sim.charthop.people)[3]
    victim_login.append(sim.charthop.people[victim]["contact"]["workEmail"])
    summary = resync(sim, code=1)  # someone failed: exit 1
    assert summary.counts["failed"] == 1
    failed = next(o for o in summary.changes if o.status == "failed")
    assert failed.key == victim
    assert "OktaServerError" in (failed.reason or "")
    letters = DeadLetterStore(Redis.from_url(sim.redis_url)).entries()
    assert [letter.item_key for letter in letters] == [victim]
    assert letters[0].retries == 4  # Dramatiq's count: the first try and 3 retries
    assert summary.counts["created"] == len(desired_state(sim)) - summary.counts["deferred"] - 1


OKTA_500 = {
    "errorCode": "E0000009",
    "errorSummary": "Internal Server Error",
    "errorLink": "E0000009",
    "errorId": "oaeTestVictim",
    "errorCauses": [],
}


def test_under_a_spent_window_people_park_and_every_bucket_keeps_its_full_budget(
    world: World, tmp_path: Path
) -> None:
    limits = dict.fromkeys(("user-update", "group-members"), 10)
    sim = world(
        people=PEOPLE,
        existing=1.0,
        drifted=0.4,
        missing_groups=0,
        config=NO_LIMITS,
        okta_settings={"window_s": 1.0, "limits": {**BUCKET_LIMITS, **limits}},
    )
    drifted = set(sim.seed_report.drifted_keys)
    summary = resync(sim)
    assert {o.key for o in summary.changes if o.status == "updated"} == drifted
    assert summary.counts["failed"] == 0
    assert sim.okta.counters().rate_limited == {}
    assert_in_sync(sim, set(desired_state(sim)) & set(okta_state(sim)))
    log = (tmp_path / "workers0.log").read_text()
    assert log.count('"person parked"') > 0  # threads were freed rather than put to sleep


def test_a_run_streamed_in_small_chunks_ends_as_a_run_planned_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import producers.resync
    from shared.infra.broker import HopsyncBroker

    sim = world(people=200, existing=0.9, drifted=0.3, missing_groups=0, config=NO_LIMITS)
    batches: list[int] = []
    enqueue_many = HopsyncBroker.enqueue_many

    def spy(self: HopsyncBroker, messages: list[object]) -> None:
        batches.append(len(messages))
        enqueue_many(self, messages)  # type: ignore[arg-type]

    monkeypatch.setattr(producers.resync, "STREAM_CHUNK", 25)
    monkeypatch.setattr(producers.resync, "FIRST_CHUNK", 5)
    monkeypatch.setattr(HopsyncBroker, "enqueue_many", spy)
    drifted = set(sim.seed_report.drifted_keys)
    summary = resync(sim)
    # 200 people planned 5 first (the workers start sooner), then 25 at a time: 9 chunks, each
    # enqueued at once
    assert len(batches) == 9
    assert {o.key for o in summary.changes if o.status == "updated"} == drifted
    assert summary.counts["created"] > 0
    assert sum(summary.counts.values()) == 200
    assert_in_sync(sim, set(desired_state(sim)) & set(okta_state(sim)))
