"""Matching people to Okta users: case-insensitive, with conflicts and Okta-only members."""

from __future__ import annotations

from shared.core.matching import managed_users, match_people
from shared.core.models import OktaUserSnapshot
from tests.shared.factories import okta_profile, person, rules


def user(user_id: str, login: str, groups: tuple[str, ...] = ()) -> OktaUserSnapshot:
    return OktaUserSnapshot(
        id=user_id,
        status="ACTIVE",
        profile=okta_profile(login=login, email=login),
        group_names=list(groups),
    )


def test_people_match_okta_users_by_login_case_insensitively() -> None:
    result = match_people([person()], [user("u1", "ada.lovelace@ACME.example")], rules())
    assert len(result.items) == 1
    assert result.items[0].okta is not None and result.items[0].okta.id == "u1"
    assert result.outcomes == []


def test_two_people_sharing_a_match_value_are_both_conflicts() -> None:
    result = match_people(
        [person(id="p1"), person(id="p2")], [user("u1", "ada.lovelace@acme.example")], rules()
    )
    assert result.items == []
    assert {o.key for o in result.outcomes} == {"p1", "p2"}
    assert all(o.status == "conflict" for o in result.outcomes)


def test_a_person_without_match_value_is_a_conflict_without_a_message() -> None:
    result = match_people([person(contact={"workEmail": " "})], [], rules())
    assert result.items == []
    assert result.outcomes[0].status == "conflict"


def test_a_future_hire_is_deferred_and_keeps_their_okta_user_out_of_orphans() -> None:
    hire = person(startDate="2027-01-04")
    result = match_people(
        [hire], [user("u1", "ada.lovelace@acme.example", ("Engineering",))], rules()
    )
    assert [o.status for o in result.outcomes] == ["deferred"]
    assert result.items == []


def test_okta_users_in_managed_groups_that_match_nobody_are_enqueued_for_removal() -> None:
    okta_users = [
        user("u1", "ada.lovelace@acme.example"),
        user("u2", "gone@acme.example", ("Managers",)),
        user("u3", "admin@acme.example", ("VPN",)),
    ]
    result = match_people([person()], okta_users, rules())
    assert sorted(item.key for item in result.items) == ["okta:u2", "p1"]


def test_a_departed_person_is_paired_with_their_okta_user_unless_an_active_person_has_it() -> None:
    def user(user_id: str, login: str) -> OktaUserSnapshot:
        return OktaUserSnapshot(id=user_id, status="ACTIVE", profile={"login": login})

    gone = person(id="gone", contact={"workEmail": "gone@acme.example"}, endDateOrg="2026-11-01")
    reused = person(id="old", contact={"workEmail": "ada@acme.example"}, endDateOrg="2025-01-01")
    active = person(id="new", contact={"workEmail": "ada@acme.example"})
    users = [user("u1", "gone@acme.example"), user("u2", "ada@acme.example")]
    matched = match_people([active], users, rules(), departed=[gone, reused])
    items = {item.key: item for item in matched.items}
    assert set(items) == {"new", "gone"}
    assert items["gone"].departed and items["gone"].okta is not None
    assert items["gone"].okta.id == "u1" and not items["new"].departed
    assert managed_users(matched.items) == 2
