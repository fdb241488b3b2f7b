"""Settings, Save Settings and History: a change is validated, its diff shown, saved as a new
version with a comment, listed in History, and rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.editing import FIELD, GROUP, save_page_with, working_copy
from tests.console.world import ConsoleWorld, SignIn, finished

pytestmark = pytest.mark.usefixtures("fresh_working_copy")


def test_a_bad_setting_is_refused_by_path_and_nothing_is_kept(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("ada")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("daily at").fill("25:00")
    page.get_by_label("timezone").fill("Mars/Olympus")
    page.get_by_role("button", name="Keep settings").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 setting(s) need attention")
    expect(page.locator("main")).to_contain_text("must be a 24-hour time HH:MM, got '25:00'")
    expect(page.locator("main")).to_contain_text("unknown time zone 'Mars/Olympus'")
    assert working_copy(world)["settings"]["daily_at"] != "25:00"


def test_save_settings_shows_the_diff_saves_a_version_and_history_rolls_it_back(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    store = world.state.config_store
    before = store.active()
    page = signed_in("ada")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("daily at").fill("04:30")
    page.get_by_label("max in flight").fill("12")
    page.get_by_role("button", name="Keep settings").click()
    expect(page.locator(".banner")).to_contain_text("2 unsaved change(s)")
    page.get_by_role("link", name="Save Settings").first.click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text('~ settings.daily_at: "03:00" -> "04:30"')
    expect(diff).to_contain_text("~ okta.max_in_flight: 20 -> 12")
    page.get_by_label("Comment").fill("run the daily resync after the backups")
    page.get_by_role("button", name="Save Settings").click()
    saved = store.active()
    assert saved.version > before.version
    assert saved.author == "ada" and saved.comment == "run the daily resync after the backups"
    assert saved.document["settings"]["daily_at"] == "04:30"
    expect(page.get_by_role("heading", name=f"Version {saved.version}")).to_be_visible()
    expect(page.locator("#diff")).to_contain_text('~ settings.daily_at: "03:00" -> "04:30"')
    expect(page.locator(".trail")).to_contain_text(f"ada saved version {saved.version}")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#versions tbody tr").first).to_contain_text("ada")
    page.get_by_role("link", name=f"version {before.version}", exact=True).click()
    page.get_by_role("button", name=f"Roll back to version {before.version}").click()
    restored = store.active()
    assert restored.restored_from == before.version and restored.digest == before.digest
    expect(page.locator(".flash")).to_contain_text(f"Version {before.version} restored")


def test_a_dry_run_of_unsaved_settings_plans_with_them_and_saves_nothing(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    store = world.state.config_store
    before = store.active()
    writes = world.sim.okta.counters().writes
    page = signed_in("ada")
    GROUP.keep(page, "Engineering Managers", "department:engineering is:manager")
    page.get_by_role("link", name="Save Settings").first.click()
    expect(page.locator("#diff")).to_contain_text("+ groups[Engineering Managers]")
    page.get_by_role("button", name="Dry Run these settings").click()
    expect(page.locator("#run-config")).to_contain_text("(unsaved settings)")
    finished(page)
    expect(page.locator("main")).to_contain_text("Groups to create")
    expect(page.locator("main")).to_contain_text("Engineering Managers")
    expect(page.locator("#people")).to_contain_text("+ group Engineering Managers")
    assert world.sim.okta.counters().writes == writes
    assert "Engineering Managers" not in world.sim.okta.groups_by_name()
    assert store.active().version == before.version


def test_save_refuses_settings_that_read_an_unknown_charthop_field_and_saves_nothing(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    store = world.state.config_store
    before = store.active()

    def misspell(document: dict[str, Any]) -> None:
        # As a filter kept while ChartHop's fields could not be read would be: unchecked on keep.
        document["groups"][0]["query"] = "departmnt:engineering"

    page = save_page_with(world, signed_in, misspell)
    # The review page lists it before anyone tries, and offers no Save ...
    expect(page.locator("#problems")).to_contain_text(
        "groups[0].query: unknown field 'departmnt' (did you mean 'department'?)"
    )
    save = page.get_by_role("button", name="Save Settings")
    expect(save).to_be_disabled()
    # ... and a Save posted anyway (a page opened before ChartHop's fields could be read) is
    # refused by the server.
    save.evaluate("button => { button.disabled = false; }")
    page.get_by_label("Comment").fill("a typo")
    save.click()
    expect(page.locator(".flash")).to_contain_text(
        "Not saved: your settings read unknown ChartHop fields: groups[0].query: unknown field "
        "'departmnt' (did you mean 'department'?)"
    )
    assert store.active().digest == before.digest


def test_every_edit_is_kept_unsaved_in_the_admins_working_copy_until_discarded(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    store = world.state.config_store
    before = store.active()
    page = signed_in("ada")
    GROUP.keep(page, "Contractors", "department:engineering")
    expect(page.locator(".banner")).to_contain_text("1 unsaved change(s)")
    FIELD.keep(page, "division", "department.name")
    expect(page.locator(".banner")).to_contain_text("2 unsaved change(s)")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("daily at").fill("05:15")
    page.get_by_role("button", name="Keep settings").click()
    expect(page.locator(".banner")).to_contain_text("3 unsaved change(s)")
    assert store.active().digest == before.digest  # nothing saved yet
    viewer = signed_in("vera")  # another account sees the active version, not ada's copy
    viewer.get_by_role("link", name="Sync Groups").click()
    expect(viewer.locator("main")).not_to_contain_text("Contractors")
    expect(viewer.locator(".banner")).to_have_count(0)
    page.get_by_role("link", name="Save Settings").first.click()
    diff = page.locator("#diff")
    for change in ("+ groups[Contractors]", "+ profile_fields.division", "settings.daily_at"):
        expect(diff).to_contain_text(change)
    page.get_by_role("button", name="Discard changes").click()
    expect(page.locator(".flash")).to_contain_text("Your unsaved changes were discarded")
    page.get_by_role("link", name="Sync Groups").click()
    expect(page.locator("main")).not_to_contain_text("Contractors")
    expect(page.locator(".banner")).to_have_count(0)
    assert working_copy(world) == before.document
    assert store.active().digest == before.digest


def test_save_shows_the_working_copys_problems_by_path_and_refuses_to_save(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    store = world.state.config_store
    before = store.active()
    page = save_page_with(
        world, signed_in, lambda document: document["settings"].update(daily_at="25:00")
    )
    expect(page.locator("#problems")).to_contain_text("settings.daily_at")
    expect(page.locator("#problems")).to_contain_text("25:00")
    expect(page.get_by_role("button", name="Save Settings")).to_be_disabled()
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    # The server refuses too, not just the disabled button; and a save needs a comment.
    for comment, said in (("force it", "your settings have problems"), ("", "a comment")):
        answer = page.request.post(
            "/review/save", form={"csrf_token": csrf, "comment": comment}, max_redirects=0
        )
        assert answer.status == 303, answer.status
        page.reload()
        expect(page.locator(".flash")).to_contain_text(said)
    assert store.active().digest == before.digest
