"""Which messages a replay of dead letters enqueues (pure planning)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from producers.ops import plan_replay
from producers.ops.replay import original_message, person_key
from shared import constants
from shared.core.messages import aggregate_message, sync_message
from shared.core.models import OktaUserSnapshot, SyncItem
from shared.infra.deadletters import DeadLetter

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def letter(
    letter_id: str, message: dict[str, Any], *, minutes: int = 0, run_id: str = "resync-1"
) -> DeadLetter:
    return DeadLetter(
        id=letter_id,
        actor=message["actor_name"],
        queue=message["queue_name"],
        run_id=run_id,
        error="OktaServerError: Okta POST /api/v1/users answered 500",
        failed_at=T0 + timedelta(minutes=minutes),
        message=message,
    )


def sync_letter(
    letter_id: str, item: SyncItem, *, dry: bool = False, minutes: int = 0
) -> DeadLetter:
    return letter(letter_id, sync_message("resync-1", dry, item).asdict(), minutes=minutes)


def test_sync_letters_become_one_fresh_item_per_person() -> None:
    letters = [
        sync_letter("a", SyncItem(key="p1@1700.aa", person_id="p1", snapshot=False)),
        sync_letter("b", SyncItem(key="p2", person_id="p2", person={"id": "p2"}), minutes=1),
        sync_letter("c", SyncItem(key="p1@1800.bb", person_id="p1", snapshot=False), minutes=2),
    ]
    plan = plan_replay(letters)
    assert sorted(item.key for item in plan.items) == ["p1", "p2"]
    assert [covered.id for covered in plan.covered] == ["a", "b", "c"]
    assert plan.originals == [] and plan.skipped == []


def test_the_newest_letter_of_a_person_gives_their_okta_snapshot() -> None:
    old = OktaUserSnapshot(id="00u1", status="ACTIVE", profile={"login": "old@acme.example"})
    new = OktaUserSnapshot(id="00u1", status="ACTIVE", profile={"login": "new@acme.example"})
    plan = plan_replay(
        [
            sync_letter("a", SyncItem(key="okta:00u1", okta=old)),
            sync_letter("b", SyncItem(key="okta:00u1", okta=new), minutes=5),
        ]
    )
    assert [item.okta for item in plan.items] == [new]


def test_letters_left_by_a_dry_run_stay_with_a_note_on_dropping_them() -> None:
    plan = plan_replay([sync_letter("a", SyncItem(key="p1", person_id="p1"), dry=True)])
    assert plan.items == [] and plan.replayed == []
    [skipped] = plan.skipped
    assert skipped.letter.id == "a"
    assert "dry run resync-1" in skipped.reason and "hopsync dlq purge a" in skipped.reason


def test_a_sync_letter_whose_body_this_version_cannot_read_is_skipped() -> None:
    message = sync_message("resync-1", False, SyncItem(key="p1")).asdict()
    message["args"] = [{"run_id": "resync-1", "item": {"key": "p1"}, "from_the_future": 1}]
    plan = plan_replay([letter("a", message)])
    assert [skip.letter.id for skip in plan.skipped] == ["a"]
    assert "hopsync dlq show a" in plan.skipped[0].reason


def test_other_letters_are_enqueued_again_as_sent_under_a_new_id() -> None:
    sent = aggregate_message("resync-9")
    dead = letter("x", {**sent.asdict(), "options": {"retries": 4, "redis_message_id": "r"}})
    plan = plan_replay([dead])
    assert plan.originals == [dead] and plan.items == []
    again = original_message(dead)
    assert (again.queue_name, again.actor_name, again.args) == (
        constants.RUNS_QUEUE,
        constants.AGGREGATE_ACTOR,
        ("resync-9",),
    )
    assert again.options == {}
    assert again.message_id != sent.message_id


def test_a_person_key_drops_the_live_and_new_hire_suffixes() -> None:
    assert person_key("p1@1700000000000.ab12cd") == "p1"
    assert person_key("p1@hires-2026-11-28") == "p1"
    assert person_key("okta:00u1") == "okta:00u1"
