"""Sync Groups: a bad filter is caught as it is typed, the fixed group is kept, and Test lists
exactly the people `hopsync query` selects, with what Okta's group would gain and lose."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from shared.carrot import compile_filter
from shared.errors import CarrotSyntaxError
from tests.console.editing import GROUP, working_copy
from tests.console.world import ConsoleWorld, SignIn, active_rules, run_cli

BAD = "department:engineering &&& is:manager"
GOOD = "department:engineering is:manager"


pytestmark = pytest.mark.usefixtures("fresh_working_copy")


def reported(text: str) -> str:
    """How `hopsync check` reports a bad filter: its column and what was expected and found."""
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter(text)
    error = caught.value
    return f"column {error.column}: expected {error.expected}, found {error.found}"


def query_ids(world: ConsoleWorld, text: str) -> set[str]:
    """The ids `hopsync query --json --limit 0` lists for a filter."""
    result = run_cli(world, "query", "--json", "--limit", "0", text)
    return {person["id"] for person in json.loads(result)["people"]}


def test_a_bad_filter_is_flagged_as_typed_then_the_fixed_group_is_kept_and_tested(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("ada")
    GROUP.open(page, "Engineering Managers", BAD)
    query = page.get_by_label("Include People Matching")
    error = page.locator("#group-query-error")
    expect(error).to_have_text(reported(BAD))
    expect(query).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Keep group").click()  # the server refuses it too
    expect(page.locator("#group-query-error")).to_have_text(reported(BAD))
    assert "Engineering Managers" not in json.dumps(working_copy(world))
    page.get_by_label("Include People Matching").fill(GOOD)
    expect(page.locator("#group-query-error")).to_have_text("", timeout=20_000)
    page.get_by_role("button", name="Keep group").click()
    expect(page.locator("#groups")).to_contain_text("Engineering Managers")
    expect(page.locator(".banner")).to_contain_text("unsaved change")
    page.get_by_role("button", name="Test Engineering Managers").click()
    listed = set(
        page.locator("#datasheet tbody tr").evaluate_all("rows => rows.map(r => r.dataset.person)")
    )
    assert listed == query_ids(world, GOOD) and listed
    expect(page.locator("#selected-count")).to_contain_text(f"{len(listed)} of")
    expect(page.get_by_text("Okta has no group Engineering Managers yet")).to_be_visible()


def test_testing_a_synced_group_lists_who_okta_would_gain_and_lose(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    rules = active_rules(world)
    okta = world.sim.okta
    group = okta.groups_by_name()["Engineering"]
    members = {user.profile["login"].casefold() for user in okta.members(group.id)}
    selected = set()
    for person in world.sim.charthop.people.values():
        prepared = rules.prepare(person)
        login = rules.match_value(person)
        if login and rules.groups["Engineering"].matches(prepared):
            selected.add(login)
    page = signed_in("vera")  # a viewer may test
    page.get_by_role("link", name="Sync Groups").click()
    page.get_by_role("button", name="Test Engineering").click()
    expect(page.locator("#would-add-count")).to_have_text(
        f"{len(selected - members)} would be added"
    )
    expect(page.locator("#would-remove-count")).to_have_text(
        f"{len(members - selected)} would be removed"
    )
    assert page.locator("#datasheet tbody tr").count() == len(
        query_ids(world, "department:engineering")
    )


def test_a_misspelt_field_is_flagged_with_a_suggestion_as_check_reports_it(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("ada")
    page.goto("/groups/new")
    page.get_by_label("Group name").fill("Typos")
    page.get_by_label("Include People Matching").fill("departmnt:engineering")
    error = page.locator("#group-query-error")
    expect(error).to_contain_text(
        "unknown field 'departmnt' (did you mean 'department'?)", timeout=20_000
    )
    page.get_by_role("button", name="Keep group").click()  # refused by the server too
    expect(page.locator("#group-query-error")).to_contain_text("unknown field 'departmnt'")
    assert all(group["name"] != "Typos" for group in working_copy(world)["groups"])
