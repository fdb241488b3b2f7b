"""Triage: people already in step are decided by the producer; the others need a message."""

from __future__ import annotations

from shared.core.models import OktaUserSnapshot, SyncItem
from shared.core.triage import triage
from tests.shared.factories import okta_profile, person, rules


def snapshot(**profile: str) -> OktaUserSnapshot:
    return OktaUserSnapshot(
        id="u1", status="ACTIVE", profile=okta_profile(**profile), group_names=["Engineering"]
    )


def test_a_person_in_step_is_decided_unchanged_without_a_message() -> None:
    item = SyncItem(key="p1", person_id="p1", person=person(), okta=snapshot())
    result = triage([item], rules())
    assert result.to_send == []
    assert [(o.key, o.status, o.okta_writes) for o in result.in_step] == [("p1", "unchanged", 0)]
    assert result.planned == result.in_step


def test_a_drifted_person_and_a_new_person_both_need_a_message() -> None:
    drifted = SyncItem(key="p1", person_id="p1", person=person(), okta=snapshot(title="Old"))
    new = SyncItem(key="p2", person_id="p2", person=person(id="p2"), okta=None)
    result = triage([drifted, new], rules())
    assert [item.key for item in result.to_send] == ["p1", "p2"]
    assert result.in_step == []
    assert sorted(o.status for o in result.planned) == ["created", "updated"]


def test_an_item_to_read_fresh_is_always_sent_to_a_worker() -> None:
    fresh = SyncItem(key="p1", person_id="p1", snapshot=False)
    result = triage([fresh], rules())
    assert result.to_send == [fresh]
    assert result.in_step == result.planned == []
