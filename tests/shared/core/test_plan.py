"""The diff core: only differences are planned, and every kind of person lands in one outcome."""

from __future__ import annotations

from shared.core.models import OktaUserSnapshot
from shared.core.plan import plan_orphan, plan_person
from tests.shared.factories import okta_profile, person, rules


def okta(
    status: str = "ACTIVE", groups: tuple[str, ...] = ("Engineering",), **profile: object
) -> OktaUserSnapshot:
    return OktaUserSnapshot(
        id="u1", status=status, profile=okta_profile(**profile), group_names=list(groups)
    )


def test_a_person_already_in_sync_plans_nothing() -> None:
    plan = plan_person("p1", person(), okta(), rules())
    assert plan.status == "unchanged"
    assert plan.changes == [] and plan.groups_added == [] and plan.groups_removed == []
    assert plan.outcome().okta_writes == 0


def test_only_changed_attributes_are_planned_old_to_new() -> None:
    plan = plan_person("p1", person(title="Staff Engineer"), okta(), rules())
    assert plan.status == "updated"
    assert plan.profile_update == {"title": "Staff Engineer"}
    assert plan.changes[0].old == "Software Engineer"


def test_null_absent_and_empty_are_the_same_empty_value() -> None:
    record = person(location={"name": "London", "address": {}})
    plan = plan_person("p1", record, okta(city=""), rules())
    assert plan.status == "unchanged"
    plan = plan_person("p1", record, okta(city=None), rules())
    assert plan.status == "unchanged"


def test_a_cleared_value_is_planned_as_none() -> None:
    record = person(title=None)
    plan = plan_person("p1", record, okta(), rules())
    assert plan.profile_update == {"title": None}


def test_group_adds_and_removes_cover_only_managed_groups() -> None:
    manager = person(directReports=3, department={"name": "Sales"})
    plan = plan_person("p1", manager, okta(groups=("Engineering", "Everyone", "VPN")), rules())
    assert plan.groups_added == ["Managers"]
    assert plan.groups_removed == ["Engineering"]
    assert plan.profile_update == {"department": "Sales"}


def test_a_person_without_okta_user_is_created_with_groups() -> None:
    plan = plan_person("p1", person(), None, rules())
    assert plan.status == "created"
    assert plan.create_profile["login"] == "Ada.Lovelace@acme.example"
    assert plan.groups_added == ["Engineering"]
    assert plan.activate_on_create is True


def test_create_leaves_empty_attributes_out() -> None:
    plan = plan_person("p1", person(title=""), None, rules())
    assert "title" not in plan.create_profile


def test_without_create_profiles_an_unknown_person_is_unmatched() -> None:
    plan = plan_person("p1", person(), None, rules(create_profiles=False))
    assert plan.status == "unmatched"


def test_a_person_without_a_work_email_is_a_conflict() -> None:
    plan = plan_person("p1", person(contact={}), None, rules())
    assert plan.status == "conflict"
    assert "contact.workEmail" in (plan.reason or "")


def test_a_blank_location_reads_as_remote_in_fields_and_filters() -> None:
    record = person(location={"name": "", "address": {"city": None}})
    plan = plan_person("p1", record, okta(city="London"), rules())
    assert plan.profile_update == {"city": "Remote"}
    plan = plan_person("p1", record, okta(city="London"), rules(remote_location_default=False))
    assert plan.profile_update == {"city": None}


def test_a_future_hire_is_deferred_when_new_hires_wait_for_their_start() -> None:
    plan = plan_person("p1", person(startDate="2026-12-14"), None, rules(sync_new_hires=False))
    assert plan.status == "deferred"
    assert plan.reason == "starts on 2026-12-14; synced from that day"


def test_a_future_hire_is_created_staged_when_new_hires_sync_early() -> None:
    plan = plan_person("p1", person(startDate="2026-12-14"), None, rules(sync_new_hires=True))
    assert plan.status == "created"
    assert plan.activate_on_create is False
    assert plan.outcome().staged is True


def test_a_staged_user_whose_start_date_came_is_activated() -> None:
    plan = plan_person(
        "p1", person(startDate="2026-11-28"), okta(status="STAGED"), rules(sync_new_hires=True)
    )
    assert plan.activate is True
    assert plan.status == "updated"


def test_a_deactivated_okta_user_is_a_conflict_not_a_write() -> None:
    plan = plan_person("p1", person(title="CTO"), okta(status="DEPROVISIONED"), rules())
    assert plan.status == "conflict"
    assert plan.changes == []


def test_an_okta_only_member_leaves_managed_groups_only() -> None:
    plan = plan_orphan("okta:u9", okta(groups=("Engineering", "Managers", "VPN")), rules())
    assert plan.groups_removed == ["Engineering", "Managers"]
    assert plan.status == "updated"


def test_a_value_longer_than_okta_allows_fails_the_person_without_a_call() -> None:
    plan = plan_person("p1", person(name={"first": "Ada", "last": "X" * 51}), okta(), rules())
    assert plan.status == "failed"
    assert "lastName is 51 characters, Okta allows 50" in (plan.reason or "")
    assert plan.changes == []
