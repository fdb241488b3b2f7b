"""The client's user calls against the fake Okta: reads, creates, partial updates, lifecycle."""

from __future__ import annotations

import pytest

from shared.errors import OktaNotFoundError
from shared.okta import OktaClient
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, with_client


def profile(name: str, **extra: object) -> dict[str, object]:
    return {"login": f"{name}@example.com", "email": f"{name}@example.com", **extra}


def test_a_user_is_read_by_id_and_by_a_login_needing_encoding(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    seeded = state.add_user(profile("ada+ops/eu", department="R&D"))
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> tuple[str, str, str | None]:
        by_id = await client.get_user(seeded.id)
        by_login = await client.find_user_by_login("ADA+ops/eu@example.com")
        missing = await client.find_user_by_login("nobody@example.com")
        return by_id.login, by_login.id if by_login else "", missing.id if missing else None

    assert with_client(server, scenario) == ("ada+ops/eu@example.com", seeded.id, None)


def test_getting_an_unknown_user_raises_not_found(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake_okta())
    with pytest.raises(OktaNotFoundError, match="E0000007"):
        with_client(server, lambda client: client.get_user("00unope"))


def test_a_create_leaves_empty_attributes_out_and_honours_activate(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    group = state.add_group("Engineering")
    server = serve_okta(state)
    new = profile("ada", title="", city=None, department="R&D")

    async def scenario(client: OktaClient) -> tuple[str, str]:
        staged = await client.create_user(new, activate=False, group_ids=[group.id])
        active = await client.create_user(profile("bob"), activate=True)
        return staged.status, active.status

    assert with_client(server, scenario) == ("STAGED", "ACTIVE")
    assert state.user("ada@example.com").profile == profile("ada", department="R&D")
    assert state.member_logins(group.id) == {"ada@example.com"}


def test_a_partial_update_sends_only_changes_and_clears_non_nullable_with_empty(
    serve_okta: ServeOkta,
) -> None:
    state = fake_okta()
    state.declare_attribute("costCode")
    user = state.add_user(profile("ada", department="R&D", title="Engineer", city="Paris"))
    server = serve_okta(state)
    changes = {"department": None, "title": None, "costCode": "C-9"}

    updated = with_client(server, lambda client: client.update_profile(user.id, changes))

    assert updated.profile == profile("ada", department="", city="Paris", costCode="C-9")
    assert state.counters().calls == {("user-update", "POST"): 1}


def test_lifecycle_calls_move_the_user_through_its_statuses(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    user = state.add_user(profile("ada"), status="STAGED")
    server = serve_okta(state)
    seen: list[str] = []

    async def scenario(client: OktaClient) -> None:
        steps = (
            client.activate_user,
            client.suspend_user,
            client.unsuspend_user,
            client.deactivate_user,
            client.activate_user,
        )
        for step in steps:
            await step(user.id)
            seen.append((await client.get_user(user.id)).status)

    with_client(server, scenario)
    assert seen == ["ACTIVE", "SUSPENDED", "ACTIVE", "DEPROVISIONED", "ACTIVE"]
    assert state.counters().lifecycle[(user.id, "activate")] == 2
