"""The fake Okta's Groups API: types, creation, memberships and Okta's refusals."""

from __future__ import annotations

from urllib.parse import quote

from tests.contract.fixtures import ServeOkta
from tests.sim.okta.support import call, fake, user_profile


def test_searching_okta_groups_leaves_out_app_groups_and_everyone(serve_okta: ServeOkta) -> None:
    state = fake()
    state.add_group("Engineering")
    state.add_group("AD Admins", type="APP_GROUP")
    server = serve_okta(state)
    everything = call(server, "GET", "/api/v1/groups").body
    okta_only = call(server, "GET", "/api/v1/groups?search=" + quote('type eq "OKTA_GROUP"')).body
    assert {g["profile"]["name"]: g["type"] for g in everything} == {
        "Everyone": "BUILT_IN",
        "Engineering": "OKTA_GROUP",
        "AD Admins": "APP_GROUP",
    }
    assert [g["profile"]["name"] for g in okta_only] == ["Engineering"]


def test_a_created_group_is_an_okta_group_and_its_name_is_unique(serve_okta: ServeOkta) -> None:
    state = fake()
    server = serve_okta(state)
    body = {"profile": {"name": "Sales", "description": "Sales team"}}
    created = call(server, "POST", "/api/v1/groups", body)
    again = call(server, "POST", "/api/v1/groups", body)
    assert (created.status, created.body["type"]) == (200, "OKTA_GROUP")
    assert (again.status, again.error_code) == (400, "E0000001")
    assert call(server, "GET", f"/api/v1/groups/{created.body['id']}").status == 200


def test_adding_a_member_twice_answers_204_both_times(serve_okta: ServeOkta) -> None:
    state = fake()
    group = state.add_group("Engineering")
    user = state.add_user(user_profile("ada"))
    server = serve_okta(state)
    path = f"/api/v1/groups/{group.id}/users/{user.id}"
    assert [call(server, "PUT", path).status for _ in range(2)] == [204, 204]
    assert state.member_logins(group.id) == {"ada@example.com"}
    assert call(server, "DELETE", path).status == 204
    assert state.member_logins(group.id) == set()


def test_app_group_and_everyone_memberships_cannot_change(serve_okta: ServeOkta) -> None:
    state = fake()
    app_group = state.add_group("AD Admins", type="APP_GROUP")
    everyone = state.groups_by_name()["Everyone"]
    user = state.add_user(user_profile("ada"))
    server = serve_okta(state)
    for group in (app_group, everyone):
        for method in ("PUT", "DELETE"):
            reply = call(server, method, f"/api/v1/groups/{group.id}/users/{user.id}")
            assert (reply.status, reply.error_code) == (403, "E0000006")


def test_unknown_group_or_user_answers_e0000007(serve_okta: ServeOkta) -> None:
    state = fake()
    group = state.add_group("Engineering")
    user = state.add_user(user_profile("ada"))
    server = serve_okta(state)
    assert call(server, "PUT", f"/api/v1/groups/00gnope/users/{user.id}").error_code == "E0000007"
    assert call(server, "PUT", f"/api/v1/groups/{group.id}/users/00unope").error_code == "E0000007"


def test_a_users_groups_include_everyone_and_app_groups(serve_okta: ServeOkta) -> None:
    state = fake()
    app_group = state.add_group("AD Admins", type="APP_GROUP")
    engineering = state.add_group("Engineering")
    user = state.add_user(user_profile("ada"), group_ids=[app_group.id, engineering.id])
    server = serve_okta(state)
    reply = call(server, "GET", f"/api/v1/users/{user.id}/groups")
    assert [g["profile"]["name"] for g in reply.body] == ["Everyone", "AD Admins", "Engineering"]
