"""The server refuses, not just the page: a viewer changes nothing, and a change without the
page's CSRF token is refused whoever sends it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from shared import constants
from tests.console.editing import working_copy
from tests.console.world import ConsoleWorld, SignIn

CHANGES = [
    ("/groups/new", {"name": "Intruders", "query": "department:engineering"}),
    ("/fields/new", {"attribute": "division", "source": "title"}),
    ("/settings", {"settings.daily_at": "05:00"}),
    ("/review/save", {"comment": "sneaky"}),
    ("/runs", {"dry_run": "0"}),
    ("/letters/replay", {"all": "1"}),
    ("/letters/purge", {"letter": "x"}),
    ("/history/1/rollback", {}),
    ("/accounts", {"name": "mallory", "password": "0123456789ab", "role": "admin"}),
]


def token(page: Page) -> str:
    """The CSRF token the page carries."""
    return str(page.locator('meta[name="csrf-token"]').get_attribute("content"))


def snapshot(world: ConsoleWorld) -> tuple[object, ...]:
    """What a change would alter: versions, runs, letters, accounts, the viewer's working copy."""
    store = world.state.config_store
    return (
        store.active_number(),
        [run.run_id for run in world.state.stores.runs.recent(100)],
        world.state.stores.dead_letters.count(),
        [account.name for account in world.state.accounts.all()],
        world.client.exists(constants.console_working_copy_key("vera")),
    )


def test_a_viewer_sees_no_change_buttons_and_the_server_refuses_every_change(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    page = signed_in("vera")
    expect(page.get_by_role("button", name="Resync All Now")).to_have_count(0)
    page.get_by_role("link", name="Sync Groups").click()
    expect(page.get_by_role("link", name="Add Group")).to_have_count(0)
    before = snapshot(world)
    for path, form in CHANGES:
        answer = page.request.post(path, form={**form, "csrf_token": token(page)})
        assert answer.status == 403, path
        assert "vera is a viewer" in answer.text(), path
    assert page.request.get("/accounts").status == 403
    assert snapshot(world) == before


def test_a_change_without_the_csrf_token_is_refused(signed_in: SignIn, world: ConsoleWorld) -> None:
    page = signed_in("ada")
    page.get_by_role("link", name="Sync Groups").click()
    before = snapshot(world)
    for path, form in CHANGES:
        missing = page.request.post(path, form=form)
        assert missing.status == 403, path
        assert "CSRF" in missing.text()
        wrong = page.request.post(path, form={**form, "csrf_token": "not-the-token"})
        assert wrong.status == 403, path
    assert snapshot(world) == before
    assert all(group["name"] != "Intruders" for group in working_copy(world)["groups"])
