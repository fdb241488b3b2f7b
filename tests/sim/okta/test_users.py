"""The fake Okta's Users API: create, read, partial and full updates, lifecycle, errors."""

from __future__ import annotations

from urllib.parse import quote

from tests.contract.fixtures import ServeOkta
from tests.contract.validator import ContractRecorder
from tests.sim.okta.support import call, fake, user_profile


def test_a_create_is_active_by_default_and_staged_with_activate_false(
    serve_okta: ServeOkta,
) -> None:
    server = serve_okta(fake())
    active = call(server, "POST", "/api/v1/users", {"profile": user_profile("ada")})
    staged = call(server, "POST", "/api/v1/users?activate=false", {"profile": user_profile("bob")})
    assert (active.status, active.body["status"]) == (200, "ACTIVE")
    assert (staged.status, staged.body["status"]) == (200, "STAGED")
    assert staged.body["id"].startswith("00u") and len(staged.body["id"]) == 20


def test_a_duplicate_login_in_another_case_answers_e0000001(serve_okta: ServeOkta) -> None:
    state = fake()
    state.add_user(user_profile("ada"))
    server = serve_okta(state)
    reply = call(server, "POST", "/api/v1/users", {"profile": user_profile("ADA")})
    assert (reply.status, reply.error_code) == (400, "E0000001")
    assert "already exists" in reply.body["errorCauses"][0]["errorSummary"]
    assert len(state.users()) == 1


def test_an_undeclared_attribute_answers_e0000001_until_declared(serve_okta: ServeOkta) -> None:
    state = fake()
    server = serve_okta(state)
    body = {"profile": user_profile("ada", costCode="C-12")}
    refused = call(server, "POST", "/api/v1/users", body)
    state.declare_attribute("costCode")
    accepted = call(server, "POST", "/api/v1/users", body)
    assert (refused.status, refused.error_code) == (400, "E0000001")
    assert "costCode" in refused.body["errorCauses"][0]["errorSummary"]
    assert accepted.status == 200
    assert accepted.body["profile"]["costCode"] == "C-12"


def test_a_create_without_email_answers_e0000001(
    serve_okta: ServeOkta, contract: ContractRecorder
) -> None:
    server = serve_okta(fake())
    with contract.expecting_violations():
        reply = call(server, "POST", "/api/v1/users", {"profile": {"login": "ada@example.com"}})
    assert (reply.status, reply.error_code) == (400, "E0000001")
    assert reply.body["errorCauses"] == [{"errorSummary": "email: The field cannot be left blank"}]


def test_a_login_that_is_not_an_email_answers_e0000001(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake())
    body = {"profile": {"login": "ada.lovelace", "email": "ada@example.com"}}
    reply = call(server, "POST", "/api/v1/users", body)
    assert (reply.status, reply.error_code) == (400, "E0000001")
    assert "login" in reply.body["errorCauses"][0]["errorSummary"]


def test_malformed_json_answers_e0000003(serve_okta: ServeOkta, contract: ContractRecorder) -> None:
    server = serve_okta(fake())
    with contract.expecting_violations():
        reply = call(server, "POST", "/api/v1/users", raw=b'{"profile": {')
    assert (reply.status, reply.error_code) == (400, "E0000003")


def test_a_user_is_found_by_id_and_by_encoded_login_in_any_case(serve_okta: ServeOkta) -> None:
    state = fake()
    user = state.add_user(user_profile("ada+ops"))
    server = serve_okta(state)
    by_id = call(server, "GET", f"/api/v1/users/{user.id}")
    by_login = call(server, "GET", "/api/v1/users/" + quote("ADA+ops@example.com", safe=""))
    assert by_id.body["id"] == by_login.body["id"] == user.id
    assert by_id.headers["ETag"].startswith('W/"')


def test_an_unknown_user_answers_e0000007(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake())
    reply = call(server, "GET", "/api/v1/users/00unope")
    assert (reply.status, reply.error_code) == (404, "E0000007")


def test_a_partial_update_changes_only_sent_attributes_and_null_clears(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    user = state.add_user(user_profile("ada", title="Engineer", city="Paris", department="R&D"))
    server = serve_okta(state)
    changes = {"profile": {"title": "Director", "city": None, "department": ""}}
    reply = call(server, "POST", f"/api/v1/users/{user.id}", changes)
    assert reply.status == 200
    assert state.user(user.id).profile == {
        "login": "ada@example.com",
        "email": "ada@example.com",
        "title": "Director",
        "department": "",
    }


def test_a_full_replace_drops_every_attribute_not_sent(serve_okta: ServeOkta) -> None:
    state = fake()
    user = state.add_user(user_profile("ada", title="Engineer", city="Paris"))
    server = serve_okta(state)
    reply = call(server, "PUT", f"/api/v1/users/{user.id}", {"profile": user_profile("ada")})
    assert reply.status == 200
    assert state.user(user.id).profile == user_profile("ada")


def test_updating_a_deprovisioned_user_answers_e0000038(serve_okta: ServeOkta) -> None:
    state = fake()
    user = state.add_user(user_profile("ada"), status="DEPROVISIONED")
    server = serve_okta(state)
    reply = call(server, "POST", f"/api/v1/users/{user.id}", {"profile": {"title": "Boss"}})
    assert (reply.status, reply.error_code) == (403, "E0000038")
    assert "title" not in state.user(user.id).profile


def test_group_ids_on_create_add_the_memberships(serve_okta: ServeOkta) -> None:
    state = fake()
    group = state.add_group("Engineering")
    server = serve_okta(state)
    body = {"profile": user_profile("ada"), "groupIds": [group.id]}
    reply = call(server, "POST", "/api/v1/users?activate=false", body)
    assert reply.status == 200
    assert state.member_logins(group.id) == {"ada@example.com"}


def test_lifecycle_moves_staged_to_active_to_suspended_to_deprovisioned(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    user = state.add_user(user_profile("ada"), status="STAGED")
    server = serve_okta(state)
    base = f"/api/v1/users/{user.id}/lifecycle"
    activated = call(server, "POST", f"{base}/activate?sendEmail=false")
    assert set(activated.body) == {"activationToken", "activationUrl"}
    assert call(server, "POST", f"{base}/activate").status == 403
    assert call(server, "POST", f"{base}/suspend").status == 200
    assert state.user(user.id).status == "SUSPENDED"
    assert call(server, "POST", f"{base}/deactivate").status == 200
    assert state.user(user.id).status == "DEPROVISIONED"


def test_a_bad_token_answers_401_e0000011_and_bearer_is_accepted(
    serve_okta: ServeOkta, contract: ContractRecorder
) -> None:
    server = serve_okta(fake())
    wrong = call(server, "GET", "/api/v1/users", token="not-the-token")
    bearer = call(server, "GET", "/api/v1/users", scheme="Bearer")
    with contract.expecting_violations():
        missing = call(server, "GET", "/api/v1/users", token=None)
    assert (wrong.status, wrong.error_code) == (401, "E0000011")
    assert (missing.status, missing.error_code) == (401, "E0000011")
    assert bearer.status == 200
