"""Signing in: only with the right password, a few tries at most, cookies scripts cannot read."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.console.world import PASSWORD, ConsoleWorld, SignIn


def test_a_visitor_is_sent_to_sign_in_and_a_right_password_opens_the_console(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("ada")
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("ada")
    cookie = next(c for c in page.context.cookies() if c["name"] == "hopsync_console")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("hopsync_console") == -1


def test_a_wrong_password_is_refused_and_repeated_failures_are_rate_limited(
    browser: Browser, world: ConsoleWorld
) -> None:
    context = browser.new_context(base_url=world.url)
    page = context.new_page()
    page.goto("/groups")
    assert "/signin" in page.url
    for _ in range(5):
        page.get_by_label("Account").fill("vera")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Wrong account name or password")
    page.get_by_label("Account").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    context.close()
    world.state.limits.succeeded("vera")
