"""Runs from the console: Dry Run writes nothing and shows the plan; Resync All Now brings Okta in
step; a run held by safety limits is approved; a failed message is replayed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from pydantic import SecretStr

from shared import constants
from shared.core.messages import sync_message
from shared.core.models import SyncItem
from shared.infra.deadletters import DeadLetter
from tests.console.world import ConsoleWorld, SignIn, assert_okta_in_step, drift, finished


def test_a_dry_run_writes_nothing_to_okta_and_shows_the_plan(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    stale = drift(world, 3)
    writes = world.sim.okta.counters().writes
    page = signed_in("otto")
    page.get_by_role("button", name="Dry Run").click()
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible()
    finished(page)
    assert world.sim.okta.counters().writes == writes
    expect(page.locator("#headline")).to_contain_text("DRY RUN")
    page.get_by_role("link", name="updated (").click()
    people = page.locator("#people")
    for login in stale:
        expect(people).to_contain_text(login)
    expect(people).to_contain_text("Stale Title")
    expect(page.locator(".trail")).to_contain_text("otto started a dry run")


def test_resync_all_now_brings_the_fake_okta_in_step(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    drift(world, 4)
    page = signed_in("otto")
    page.get_by_role("button", name="Resync All Now").click()
    finished(page)
    expect(page.locator("#run-status")).to_have_text("completed")
    expect(page.locator("#run-facts")).to_contain_text("by console:otto")
    assert assert_okta_in_step(world) > 0
    page.get_by_role("link", name="Runs").click()
    expect(page.locator("tbody tr").first).to_contain_text("console:otto")


def test_the_runs_page_names_who_started_runs_from_outside_the_console(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    runs = world.state.stores.runs
    scheduled = runs.create("resync", started_by="schedule")
    live = runs.create("live", started_by="live")
    page = signed_in("vera")
    for run, starter in ((scheduled, "schedule"), (live, "live")):
        expect(page.locator("tr", has_text=run.run_id)).to_contain_text(starter)


def test_resync_all_now_shows_the_run_page_while_chart_hop_and_okta_are_still_read(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    okta = world.sim.okta
    okta.set_latency(3.0)  # every Okta answer: reading the users alone takes several seconds
    try:
        page = signed_in("otto")
        page.get_by_role("button", name="Resync All Now").click()
        page.wait_for_url("**/runs/resync-*")
        # Had the request waited for the reads, the run would be planned and counted by now.
        expect(page.locator("[data-text]")).to_contain_text("reading ChartHop and Okta")
    finally:
        okta.set_latency(0.0)
    finished(page)  # the live progress reloads the page with the summary
    expect(page.locator("#run-status")).to_have_text("completed")


@pytest.fixture
def wrong_token(world: ConsoleWorld) -> Iterator[Callable[[str], str]]:
    """Make the console use a wrong API token ("okta" or "charthop"); returns the token."""
    loaded = world.state.loaded

    def use(which: str) -> str:
        token = f"wrong-{which}-token-0123456789"
        name = "okta_api_token" if which == "okta" else "charthop_api_token"
        secrets = loaded.secrets.model_copy(update={name: SecretStr(token)})
        world.state.loaded = replace(loaded, secrets=secrets)
        return token

    yield use
    world.state.loaded = loaded


def test_a_wrong_charthop_token_stops_the_run_before_it_starts_and_says_so(
    signed_in: SignIn, world: ConsoleWorld, wrong_token: Callable[[str], str]
) -> None:
    token = wrong_token("charthop")
    page = signed_in("otto")
    page.get_by_role("button", name="Resync All Now").click()
    flash = page.get_by_role("alert")  # an error, not a notice
    expect(flash).to_have_class("flash error")
    expect(flash).to_contain_text("The run could not start: ChartHop GET")
    expect(flash).to_contain_text("answered 401")
    expect(flash).to_contain_text("check the ChartHop API token")
    assert token not in page.content()


def test_a_wrong_okta_token_fails_the_run_and_its_page_says_why(
    signed_in: SignIn, world: ConsoleWorld, wrong_token: Callable[[str], str]
) -> None:
    token = wrong_token("okta")
    page = signed_in("otto")
    page.get_by_role("button", name="Resync All Now").click()
    page.wait_for_url("**/runs/resync-*")
    finished(page)
    expect(page.locator("#run-status")).to_have_text("failed")
    expect(page.locator("#headline")).to_contain_text("OktaAuthError")
    expect(page.locator("#headline")).to_contain_text("answered 401")
    expect(page.locator("#failed-hint")).to_contain_text("Test connection checks Redis, the tokens")
    expect(page.locator("#run-facts")).not_to_contain_text("OktaAuthError")  # said once
    page.set_viewport_size({"width": 400, "height": 800})  # Okta's long URL wraps
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert token not in page.content()


@pytest.fixture
def safety_limits(world: ConsoleWorld) -> Iterator[None]:
    """An active version whose safety limits hold any run that updates someone."""
    store = world.state.config_store
    active = store.active()
    document = {**active.document}
    document["settings"] = {**document["settings"], "safety": {"max_updates": "0"}}
    store.save(document, author="test", source="cli", comment="hold every update")
    yield
    store.rollback(active.version, author="test", source="cli")


@pytest.mark.usefixtures("safety_limits")
def test_a_held_run_shows_why_and_is_approved(signed_in: SignIn, world: ConsoleWorld) -> None:
    drift(world, 2)
    writes = world.sim.okta.counters().writes
    page = signed_in("otto")
    page.get_by_role("button", name="Resync All Now").click()
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Held by safety limits")
    expect(banner).to_contain_text("would change 2 of 80 Okta profiles")
    expect(banner).to_contain_text("settings.safety.max_updates allows 0")
    assert world.sim.okta.counters().writes == writes
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash")).to_contain_text("approved")
    finished(page)
    expect(page.locator(".trail")).to_contain_text("otto approved the held run")
    assert_okta_in_step(world)


def test_a_failed_message_is_replayed_and_the_person_synced(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    [login] = drift(world, 1)
    rules = world.sim.rules()
    person = next(p for p in world.sim.charthop.people.values() if rules.match_value(p) == login)
    item = SyncItem(key=person["id"], person_id=person["id"], snapshot=False)
    message = sync_message("resync-20260101T000000-abcdef", False, item)
    world.state.stores.dead_letters.add(
        DeadLetter(
            id=message.message_id,
            actor=constants.SYNC_ACTOR,
            queue=constants.SYNC_QUEUE,
            run_id="resync-20260101T000000-abcdef",
            item_key=person["id"],
            person_id=person["id"],
            error="OktaServerError: 500 from Okta (test)",
            failed_at=datetime.now(UTC),
            retries=4,
            message=message.asdict(),
        )
    )
    page = signed_in("otto")
    page.get_by_role("link", name="Failed messages").click()
    expect(page.get_by_text("OktaServerError: 500 from Okta (test)")).to_be_visible()
    page.get_by_label(f"Select {message.message_id}").check()
    page.get_by_role("button", name="Replay selected").click()
    expect(page.locator(".flash")).to_contain_text("Replayed 1 failed message(s)")
    finished(page)
    expect(page.locator(".trail")).to_contain_text("otto replayed 1 failed message(s)")
    user = world.sim.okta.users_by_login()[login]
    assert user.profile["title"] != "Stale Title"
    assert world.state.stores.dead_letters.count() == 0


def test_an_unknown_run_says_so_and_leads_back_to_the_runs(signed_in: SignIn) -> None:
    page = signed_in("vera")
    answer = page.goto("/runs/resync-20260101T000000-000000")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text("No run 'resync-20260101T000000-000000'")
    expect(page.locator("main")).not_to_contain_text("hopsync runs")  # no shell hint here
    page.get_by_role("link", name="See the runs that are kept").click()
    page.wait_for_url("**/runs")
