"""Snapshotting Okta for a resync: every user, trimmed, with their managed groups, read at once."""

from __future__ import annotations

from shared.core.snapshot import snapshot_users
from shared.okta import OktaClient
from tests.contract.fixtures import ServeOkta
from tests.shared.factories import rules
from tests.shared.okta.support import fake_okta, with_client


def profile(name: str) -> dict[str, str]:
    return {
        "login": f"{name}@acme.example",
        "email": f"{name}@acme.example",
        "firstName": name,
        "lastName": "Example",
        "nickName": "not kept",
    }


def test_every_user_comes_with_their_managed_groups_and_the_kept_attributes_only(
    serve_okta: ServeOkta,
) -> None:
    state = fake_okta()
    engineering = state.add_group("Engineering")
    other = state.add_group("Not managed")
    users = [
        state.add_user(profile(f"user{i:03d}"), group_ids=[engineering.id] if i % 2 else [])
        for i in range(450)
    ]
    state.add_member(other.id, users[0].id)
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> dict[str, tuple[list[str], set[str]]]:
        snapshots = await snapshot_users(client, rules(), {"Engineering": engineering.id})
        return {s.id: (s.group_names, set(s.profile)) for s in snapshots}

    found = with_client(server, scenario, members_page_size=100)
    assert len(found) == 450
    for i, user in enumerate(users):
        groups, attributes = found[user.id]
        assert groups == (["Engineering"] if i % 2 else [])
        assert "nickName" not in attributes and "login" in attributes


def test_users_and_group_members_are_read_at_the_same_time(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    group = state.add_group("Engineering")
    for i in range(600):
        state.add_user(profile(f"user{i:03d}"), group_ids=[group.id])
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> int:
        return len(await snapshot_users(client, rules(), {"Engineering": group.id}))

    assert with_client(server, scenario, members_page_size=100) == 600
    order = [record.bucket for record in state.counters().log if record.method == "GET"]
    first_users_page = order.index("users-list-create")
    last_members_page = len(order) - 1 - order[::-1].index("group-members")
    assert first_users_page < last_members_page  # not one list after the other
