"""The console works with the keyboard alone, and fits a narrow window without sideways scrolls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.world import CHARTHOP_TOKEN, OKTA_TOKEN, WEBHOOK_SECRET
from producers.webconsole.working import WorkingCopies
from tests.console.world import PASSWORD, ConsoleWorld, SignIn, sign_in

PAGES = [
    "/runs",
    "/connection",
    "/groups",
    "/fields",
    "/settings",
    "/review",
    "/history",
    "/letters",
    "/export",
    "/accounts",
    "/audit",
]


@pytest.fixture
def keyboard_page(browser: Browser, world: ConsoleWorld) -> Iterator[Page]:
    context = browser.new_context(base_url=world.url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
    WorkingCopies(world.client).discard("ada")


def tab_to(page: Page, text: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text is ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText") == text:
            return
    raise AssertionError(f"{text!r} was not reached with Tab")


def test_signing_in_and_adding_a_group_need_only_the_keyboard(
    keyboard_page: Page, world: ConsoleWorld
) -> None:
    page = keyboard_page
    page.goto("/signin")
    expect(page.locator("input[name=name]")).to_be_focused()
    page.keyboard.type("ada")  # the account field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/runs")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Skip to content"
    tab_to(page, "Sync Groups")
    page.keyboard.press("Enter")
    page.wait_for_url("**/groups")
    tab_to(page, "Add Group")
    page.keyboard.press("Enter")
    page.wait_for_url("**/groups/new")
    # autofocus lands after the load event; typing before it loses the first keys
    expect(page.locator("#group-name")).to_be_focused()
    page.keyboard.type("Keyboard People")  # the group name has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("department:engineering")
    page.keyboard.press("Enter")
    page.wait_for_url("**/groups")
    expect(page.locator("#groups")).to_contain_text("Keyboard People")


@pytest.mark.parametrize("width", [400, 1280])
def test_every_page_fits_the_window_without_sideways_scrolling(
    browser: Browser, world: ConsoleWorld, width: int
) -> None:
    context = browser.new_context(base_url=world.url, viewport={"width": width, "height": 800})
    page = sign_in(context.new_page(), "ada")
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window"
    context.close()


def test_no_page_shows_a_secret_even_after_test_connection(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    secrets = [OKTA_TOKEN, CHARTHOP_TOKEN, WEBHOOK_SECRET]
    page = signed_in("ada")
    page.goto("/connection")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#check-results")).to_be_visible()
    shown = [page.content()]
    for path in PAGES:
        page.goto(path)
        shown.append(page.content())
    assert not [secret for secret in secrets for html in shown if secret in html]


def test_in_a_narrow_window_every_group_and_field_shows_its_buttons_whole(
    browser: Browser, world: ConsoleWorld
) -> None:
    context = browser.new_context(base_url=world.url, viewport={"width": 400, "height": 800})
    context.set_default_timeout(15_000)
    page = sign_in(context.new_page(), "ada")
    for path, table in (("/groups", "#groups"), ("/fields", "#fields")):
        page.goto(path)
        buttons = page.locator(f"{table} tbody").get_by_role("button", name="Remove")
        expect(buttons.first).to_be_visible()
        rights = buttons.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().right)")
        assert rights and max(rights) <= 400, (path, rights)  # not cut off, no scrolling
    context.close()
