"""The fake Okta's user lifecycle: the transitions Okta allows, its refusals, two-step DELETE."""

from __future__ import annotations

import pytest

from tests.contract.fixtures import ServeOkta
from tests.sim.okta.support import call, fake, user_profile

# (status before, operation) -> (HTTP status, errorCode or status after)
TRANSITIONS = [
    ("ACTIVE", "suspend", 200, "SUSPENDED"),
    ("SUSPENDED", "unsuspend", 200, "ACTIVE"),
    ("ACTIVE", "deactivate", 200, "DEPROVISIONED"),
    ("SUSPENDED", "deactivate", 200, "DEPROVISIONED"),
    ("STAGED", "deactivate", 200, "DEPROVISIONED"),
    ("DEPROVISIONED", "activate", 200, "ACTIVE"),
    ("PROVISIONED", "reactivate", 200, "PROVISIONED"),
    ("STAGED", "suspend", 400, "E0000001"),
    ("PROVISIONED", "suspend", 400, "E0000001"),
    ("ACTIVE", "unsuspend", 400, "E0000001"),
    ("DEPROVISIONED", "unsuspend", 400, "E0000001"),
    ("ACTIVE", "activate", 403, "E0000016"),
    ("DEPROVISIONED", "reactivate", 403, "E0000038"),
    ("ACTIVE", "reactivate", 403, "E0000038"),
    ("DEPROVISIONED", "deactivate", 404, "E0000007"),
]


@pytest.mark.parametrize(("before", "operation", "status", "after"), TRANSITIONS)
def test_each_lifecycle_operation_is_allowed_only_from_okta_s_statuses(
    serve_okta: ServeOkta, before: str, operation: str, status: int, after: str
) -> None:
    state = fake()
    user = state.add_user(user_profile("ada"), status=before)
    server = serve_okta(state)
    query = "?sendEmail=false" if operation in ("activate", "reactivate") else ""
    reply = call(server, "POST", f"/api/v1/users/{user.id}/lifecycle/{operation}{query}")
    assert reply.status == status
    if status == 200:
        assert state.user(user.id).status == after
        assert state.counters().lifecycle[(user.id, operation)] == 1
    else:
        assert reply.error_code == after
        assert state.user(user.id).status == before
        assert not state.counters().lifecycle


def test_a_deprovisioned_user_cannot_be_updated_until_activated_again(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    user = state.add_user(user_profile("ada"))
    server = serve_okta(state)
    base = f"/api/v1/users/{user.id}"
    assert call(server, "POST", f"{base}/lifecycle/deactivate").status == 200
    refused = call(server, "POST", base, {"profile": {"title": "Boss"}})
    activated = call(server, "POST", f"{base}/lifecycle/activate?sendEmail=false")
    updated = call(server, "POST", base, {"profile": {"title": "Boss"}})
    assert (refused.status, refused.error_code) == (403, "E0000038")
    assert set(activated.body) == {"activationToken", "activationUrl"}
    assert updated.status == 200 and state.user(user.id).profile["title"] == "Boss"


def test_activation_with_send_email_answers_no_token(serve_okta: ServeOkta) -> None:
    state = fake()
    user = state.add_user(user_profile("ada"), status="DEPROVISIONED")
    server = serve_okta(state)
    reply = call(server, "POST", f"/api/v1/users/{user.id}/lifecycle/activate?sendEmail=true")
    assert (reply.status, reply.body) == (200, {})


def test_deleting_an_active_user_only_deactivates_it_and_a_second_delete_removes_it(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    group = state.add_group("Engineering")
    user = state.add_user(user_profile("ada"), group_ids=[group.id])
    server = serve_okta(state)
    first = call(server, "DELETE", f"/api/v1/users/{user.id}")
    assert first.status == 204 and state.user(user.id).status == "DEPROVISIONED"
    assert state.member_logins(group.id) == {"ada@example.com"}
    second = call(server, "DELETE", f"/api/v1/users/{user.id}")
    gone = call(server, "GET", f"/api/v1/users/{user.id}")
    assert second.status == 204 and (gone.status, gone.error_code) == (404, "E0000007")
    assert state.member_logins(group.id) == set() and state.users() == []
    assert state.counters().lifecycle == {(user.id, "deactivate"): 1, (user.id, "delete"): 1}


def test_an_admin_can_change_a_status_by_hand_without_a_counted_call() -> None:
    state = fake()
    user = state.add_user(user_profile("ada"), status="DEPROVISIONED")
    assert state.admin_lifecycle(user.id, "activate").status == "ACTIVE"
    assert not state.counters().lifecycle
