"""Sync Profile Fields: a bad source is flagged as typed; Preview shows real people's values."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shared.core.rules import Rules
from tests.console.editing import FIELD, working_copy
from tests.console.world import ConsoleWorld, SignIn, active_rules

pytestmark = pytest.mark.usefixtures("fresh_working_copy")


def test_a_profile_field_is_added_with_inline_errors_and_a_preview_of_real_values(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("ada")
    FIELD.open(page, "division", "upper(department.name")
    source = page.get_by_label("ChartHop field, expression or template")
    expect(page.locator("#field-source-error")).to_contain_text("column 22: expected")
    expect(source).to_have_attribute("aria-invalid", "true")
    source.fill("upper(department.name)")
    expect(page.locator("#field-source-error")).to_have_text("", timeout=20_000)
    page.get_by_role("button", name="Preview").click()
    rows = page.locator("#preview tbody tr")
    expect(rows).to_have_count(5)
    rules = active_rules(world)
    expected = {}
    for person in world.sim.charthop.people.values():
        prepared = rules.prepare(person)
        department = (prepared.get("department") or {}).get("name")
        expected[Rules.person_name(prepared)] = department.upper() if department else "(empty)"
    shown = rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert dict(shown) == {name: expected[name] for name, _ in shown}
    page.get_by_role("button", name="Keep field").click()
    expect(page.locator("#fields")).to_contain_text("upper(department.name)")
    assert working_copy(world)["profile_fields"]["division"] == "upper(department.name)"


def test_an_attribute_okta_lacks_is_flagged(signed_in: SignIn, world: ConsoleWorld) -> None:
    page = signed_in("ada")
    FIELD.keep(page, "divison", "department.name")
    expect(page.locator(".flash").first).to_contain_text(
        "Okta's user schema has no attribute 'divison' (did you mean 'division'?)"
    )
    flagged = page.locator("#fields tr", has_text="divison").locator(".schema-flag")
    expect(flagged).to_contain_text("no attribute 'divison'")
    expect(page.locator(".schema-flag")).to_have_count(1)  # the configured ones all exist
