"""Connection: secrets shown as set or not, and Test connection runs `hopsync check`'s checks."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.world import ConsoleWorld, SignIn


def test_test_connection_shows_each_check_of_hopsync_check(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("vera")
    page.get_by_role("link", name="Connection").click()
    expect(page.locator("main")).to_contain_text("acme.okta.example")
    secrets = page.locator("table").first
    expect(secrets.locator("tr", has_text="OKTA_API_TOKEN")).to_contain_text("set")
    expect(secrets.locator("tr", has_text="SMTP_PASSWORD")).to_contain_text("not set")
    page.get_by_role("button", name="Test connection").click()
    results = page.locator("#check-results")
    expect(results.locator("tr", has_text="accepts the token")).to_contain_text("passed")
    expect(results.locator("tr", has_text="user schema")).to_contain_text("passed")
    expect(results.locator("tr", has_text="env.REDIS_URL")).to_contain_text("passed")
    expect(results.locator("tr", has_text="problem")).to_have_count(0)
