"""The client's group calls against the fake Okta: listing, creating, members, memberships."""

from __future__ import annotations

from shared.okta import OktaClient
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, with_client


def profile(name: str) -> dict[str, str]:
    return {"login": f"{name}@example.com", "email": f"{name}@example.com"}


def test_listing_groups_returns_only_okta_groups(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    state.add_group("Engineering")
    state.add_group("Sales")
    state.add_group("AD Admins", type="APP_GROUP")
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> list[tuple[str, str]]:
        return [(g.name, g.type) async for g in client.list_groups()]

    assert with_client(server, scenario) == [("Engineering", "OKTA_GROUP"), ("Sales", "OKTA_GROUP")]


def test_creating_an_existing_group_returns_it_instead_of_failing(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    existing = state.add_group("Engineering")
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> tuple[str, str]:
        again = await client.create_group("Engineering", "dup")
        fresh = await client.create_group("Sales", "Sales team")
        return again.id, fresh.profile.description or ""

    assert with_client(server, scenario) == (existing.id, "Sales team")
    assert [g.name for g in state.groups()] == ["Everyone", "Engineering", "Sales"]


def test_members_are_paged_and_memberships_change(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    group = state.add_group("Engineering")
    users = [state.add_user(profile(f"user{i:03d}"), group_ids=[group.id]) for i in range(450)]
    newcomer = state.add_user(profile("newcomer"))
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> tuple[int, list[str]]:
        listed = [u.id async for u in client.list_group_members(group.id, limit=200)]
        await client.add_member(group.id, newcomer.id)
        await client.add_member(group.id, newcomer.id)
        await client.remove_member(group.id, users[0].id)
        names = [g.name for g in await client.list_user_groups(newcomer.id)]
        return len(listed), names

    assert with_client(server, scenario) == (450, ["Everyone", "Engineering"])
    logins = state.member_logins(group.id)
    assert "newcomer@example.com" in logins and "user000@example.com" not in logins
    assert state.counters().calls[("group-members", "GET")] == 3


def test_members_are_read_a_thousand_a_page_unless_configured_otherwise(
    serve_okta: ServeOkta,
) -> None:
    state = fake_okta()
    group = state.add_group("Engineering")
    for i in range(1200):
        state.add_user(profile(f"user{i:04d}"), group_ids=[group.id])
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> int:
        return len([u.id async for u in client.list_group_members(group.id)])

    assert with_client(server, scenario) == 1200
    assert state.counters().calls[("group-members", "GET")] == 2
    assert with_client(server, scenario, members_page_size=300) == 1200
    assert state.counters().calls[("group-members", "GET")] == 2 + 4


def test_member_ids_are_every_members_id_in_order(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    group = state.add_group("Engineering")
    users = [state.add_user(profile(f"user{i:03d}"), group_ids=[group.id]) for i in range(250)]
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> list[str]:
        return [user_id async for user_id in client.list_group_member_ids(group.id, limit=100)]

    assert with_client(server, scenario) == [user.id for user in users]
