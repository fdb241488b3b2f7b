"""okta(person, attribute) fields: answered from the run's snapshot, pending people waited for."""

from __future__ import annotations

from typing import Any

from config import parse_config
from shared.core.models import FieldChange, OktaRef, OktaUserSnapshot, PersonOutcome, SyncItem
from shared.core.okta_refs import OktaLookup, attach_refs, ref_from_outcome
from shared.core.plan import plan_item
from shared.core.rules import Rules
from shared.core.triage import triage
from tests.shared.factories import BASE_CONFIG, TODAY, okta_profile, person

FIELDS = {"managerId": 'okta(manager, "id")', "manager": 'okta(manager, "login")'}


def manager_rules() -> Rules:
    raw = {**BASE_CONFIG, "profile_fields": {**BASE_CONFIG["profile_fields"], **FIELDS}}
    return Rules.build(parse_config(raw), clock=lambda: TODAY)


def user(user_id: str, login: str, **profile: Any) -> OktaUserSnapshot:
    return OktaUserSnapshot(
        id=user_id,
        status="ACTIVE",
        profile=okta_profile(login=login, email=login, **profile),
        group_names=["Engineering"],
    )


BOSS = person(id="boss", contact={"workEmail": "boss@acme.example"})
ADA = person(id="ada", manager={"id": "boss", "contact": {"workEmail": "boss@acme.example"}})


def test_the_rules_know_which_attributes_okta_calls_read() -> None:
    use = manager_rules().ref_use
    assert (use.paths, use.attributes) == ({"manager"}, {"id", "login"})


def test_a_report_gets_the_manager_s_okta_id_and_login_from_the_snapshot() -> None:
    rules = manager_rules()
    boss = user("u-boss", "boss@acme.example")
    ada = user("u-ada", "Ada.Lovelace@acme.example")
    items = [
        SyncItem(key="boss", person_id="boss", person=BOSS, okta=boss),
        SyncItem(key="ada", person_id="ada", person=ADA, okta=ada),
    ]
    attach_refs(items, rules.ref_use)
    assert items[1].refs == {"boss": OktaRef(id="u-boss", profile={"login": "boss@acme.example"})}
    plan = plan_item(items[1], rules)
    assert plan is not None
    assert plan.profile_update == {"managerId": "u-boss", "manager": "boss@acme.example"}


def test_a_manager_created_in_the_same_run_is_waited_for_then_used() -> None:
    rules = manager_rules()
    items = [
        SyncItem(key="boss", person_id="boss", person=BOSS),
        SyncItem(key="ada", person_id="ada", person=ADA),
    ]
    attach_refs(items, rules.ref_use)
    assert items[1].pending == ["boss"]
    first = plan_item(items[1], rules)
    assert first is not None and first.waiting_on == ["boss"]
    assert "managerId" not in first.create_profile  # never written wrong (nor empty)
    assert triage(items, rules).to_send == items
    created = PersonOutcome(
        key="boss",
        status="created",
        okta_user_id="u-new",
        changes=[FieldChange(attribute="login", new="boss@acme.example")],
    )
    ref = ref_from_outcome(created)
    assert ref is not None
    later = plan_item(items[1], rules, OktaLookup({"boss": ref}))
    assert later is not None and later.create_profile["managerId"] == "u-new"
    assert later.create_profile["manager"] == "boss@acme.example"


def test_a_manager_whose_okta_user_is_unknown_leaves_the_attributes_as_they_are() -> None:
    rules = manager_rules()
    item = SyncItem(key="ada", person_id="ada", person=ADA,
                    okta=user("u-ada", "Ada.Lovelace@acme.example", managerId="u-old"))  # fmt: skip
    plan = plan_item(item, rules, OktaLookup(unknown=["boss"]))
    assert plan is not None and plan.status == "unchanged"


def test_a_manager_without_any_okta_user_clears_the_attributes() -> None:
    rules = manager_rules()
    item = SyncItem(key="ada", person_id="ada", person=ADA,
                    okta=user("u-ada", "Ada.Lovelace@acme.example", managerId="u-old"))  # fmt: skip
    attach_refs([item], rules.ref_use)
    plan = plan_item(item, rules)
    assert plan is not None and plan.profile_update == {"managerId": None}
