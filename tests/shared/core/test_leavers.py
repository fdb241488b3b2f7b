"""Leavers in the plan: who is one, from when, what is written, and what is never repeated."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config import parse_config
from shared.core.leavers import end_date
from shared.core.models import LifecycleRecord, OktaUserSnapshot
from shared.core.plan import PersonPlan, plan_person
from shared.core.rules import Rules
from tests.shared.factories import BASE_CONFIG, okta_profile, person

ZONE = ZoneInfo("America/New_York")


def rules_at(now: datetime, *, fields: dict[str, str] | None = None, **leavers: Any) -> Rules:
    raw = {
        **BASE_CONFIG,
        "profile_fields": {**BASE_CONFIG["profile_fields"], **(fields or {})},
        "settings": {"timezone": "America/New_York", "leavers": leavers},
    }
    return Rules.build(parse_config(raw), now=lambda: now)


def okta(status: str = "ACTIVE", **profile: object) -> OktaUserSnapshot:
    return OktaUserSnapshot(
        id="u1", status=status, profile=okta_profile(**profile), group_names=["Engineering"]
    )


def record(action: str = "deactivated", end: date = date(2026, 11, 30)) -> LifecycleRecord:
    return LifecycleRecord.model_validate(
        {
            "okta_user_id": "u1",
            "action": action,
            "at": datetime(2026, 12, 1, 12, tzinfo=UTC),
            "run_id": "resync-1",
            "end_date": end,
        }
    )


def plan(rules: Rules, user: OktaUserSnapshot | None = None, **options: Any) -> PersonPlan:
    departed = options.pop("departed", True)
    found = okta() if user is None else user
    return plan_person("p1", person(endDateOrg="2026-11-30"), found, rules, departed=departed,
                       **options)  # fmt: skip


def test_a_departed_person_is_acted_on_from_the_time_of_day_after_their_end_date() -> None:
    early = rules_at(datetime(2026, 12, 1, 8, 59, tzinfo=ZONE), action="deactivate",
                     time_of_day="09:00")  # fmt: skip
    waiting = plan(early)
    assert waiting.status == "deferred"
    assert waiting.reason == (
        "no longer among ChartHop's active people (end date 2026-11-30);"
        " acted on from 2026-12-01 09:00 EST"
    )
    assert waiting.outcome().okta_writes == 0
    due = plan(rules_at(datetime(2026, 12, 1, 9, 0, tzinfo=ZONE), action="deactivate",
                        time_of_day="09:00"))  # fmt: skip
    assert (due.status, due.lifecycle, due.groups_removed) == (
        "deactivated",
        "deactivate",
        ["Engineering"],
    )
    assert due.outcome().okta_writes == 2  # the group removal, then the deactivation


def test_the_time_of_day_is_local_so_utc_midnight_is_not_yet_due_in_new_york() -> None:
    utc_midnight = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 19:30 on 30 Nov in New York
    assert plan(rules_at(utc_midnight, action="suspend")).status == "deferred"


def test_after_days_adds_grace_after_the_end_date() -> None:
    rules = rules_at(datetime(2026, 12, 3, 12, tzinfo=ZONE), action="suspend", after_days=3)
    assert plan(rules).status == "deferred"
    rules = rules_at(datetime(2026, 12, 4, 0, 0, tzinfo=ZONE), action="suspend", after_days=3)
    assert plan(rules).status == "suspended"


def test_an_active_person_whose_end_date_passed_is_a_leaver_by_that_rule() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), action="suspend")
    found = plan(rules, departed=False)
    assert (found.status, found.reason) == ("suspended", "end date 2026-11-30 has passed")
    ends_today = person(endDateOrg="2026-12-02")
    assert plan_person("p1", ends_today, okta(), rules).status == "unchanged"


def test_end_date_org_wins_over_end_date() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), action="suspend")
    record_ = person(endDateOrg="2026-12-20", endDate="2026-11-01")
    assert plan_person("p1", record_, okta(), rules).status == "unchanged"


def test_with_leavers_off_a_departed_person_is_not_acted_on() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE))
    assert plan(rules).lifecycle is None


def test_a_user_already_deactivated_is_not_deactivated_again() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), action="deactivate")
    done = plan(rules, okta("DEPROVISIONED").model_copy(update={"group_names": []}),
                record=record())  # fmt: skip
    assert (done.status, done.lifecycle, done.outcome().okta_writes) == ("unchanged", None, 0)


def test_a_user_an_admin_reactivated_after_hopsync_deactivated_it_is_left_alone() -> None:
    rules = rules_at(datetime(2026, 12, 5, 12, tzinfo=ZONE), action="deactivate")
    kept = plan(rules, okta("ACTIVE"), record=record())
    assert (kept.status, kept.lifecycle, kept.groups_removed) == ("unchanged", None, [])
    assert "an Okta admin reactivated this user after hopsync deactivated it" in str(kept.reason)


def test_a_record_of_an_earlier_departure_does_not_protect_a_second_one() -> None:
    rules = rules_at(datetime(2026, 12, 5, 12, tzinfo=ZONE), action="deactivate")
    again = plan(rules, okta("ACTIVE"), record=record(end=date(2024, 3, 1)))
    assert again.status == "deactivated"


def test_suspend_refuses_users_okta_cannot_suspend_with_a_reason() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), action="suspend")
    locked = plan(rules, okta("LOCKED_OUT"))
    assert locked.status == "conflict" and locked.outcome().okta_writes == 0
    assert "Okta suspends only ACTIVE users and this one is LOCKED_OUT" in str(locked.reason)


def test_a_mapped_charthop_id_naming_another_person_keeps_the_user_untouched() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), fields={"charthopId": "id"},
                     action="deactivate")  # fmt: skip
    theirs = plan(rules, okta(charthopId="p1"))
    other = plan(rules, okta(charthopId="someone-else"))
    assert theirs.status == "deactivated"
    assert other.status == "conflict" and other.outcome().okta_writes == 0


def test_a_leaver_without_an_okta_user_is_never_created() -> None:
    rules = rules_at(datetime(2026, 12, 2, 12, tzinfo=ZONE), action="deactivate")
    none = plan_person("p1", person(endDateOrg="2026-11-30"), None, rules, departed=True)
    assert none.status == "unchanged" and none.create_profile == {}


def test_a_rehire_hopsync_deactivated_is_activated_without_email_then_updated() -> None:
    rules = rules_at(datetime(2026, 12, 9, 12, tzinfo=ZONE), action="deactivate")
    back = plan_person("p1", person(title="Staff Engineer"), okta("DEPROVISIONED"), rules,
                       record=record())  # fmt: skip
    assert (back.status, back.lifecycle, back.send_email) == ("reactivated", "activate", False)
    assert back.profile_update == {"title": "Staff Engineer"}
    assert back.outcome().okta_writes == 2
    emailing = rules_at(datetime(2026, 12, 9, 12, tzinfo=ZONE), action="deactivate",
                        rehire_send_email=True)  # fmt: skip
    assert plan_person("p1", person(), okta("DEPROVISIONED"), emailing,
                       record=record()).send_email is True  # fmt: skip


def test_a_rehire_hopsync_suspended_is_unsuspended() -> None:
    rules = rules_at(datetime(2026, 12, 9, 12, tzinfo=ZONE), action="suspend")
    back = plan_person("p1", person(), okta("SUSPENDED"), rules, record=record("suspended"))
    assert (back.status, back.lifecycle, back.outcome().okta_writes) == (
        "reactivated",
        "unsuspend",
        1,
    )


def test_a_deactivated_user_hopsync_did_not_deactivate_stays_a_conflict() -> None:
    rules = rules_at(datetime(2026, 12, 9, 12, tzinfo=ZONE), action="deactivate")
    stranger = plan_person("p1", person(), okta("DEPROVISIONED"), rules)
    assert stranger.status == "conflict" and stranger.lifecycle is None


def test_end_and_start_dates_are_read_from_dates_timestamps_and_the_first_readable_field() -> None:
    rules = Rules.build(parse_config(BASE_CONFIG))
    stamped = person(endDateOrg="2026-11-30T17:00:00Z", startDate=datetime(2027, 1, 4, 9, 0))
    assert end_date(stamped) == date(2026, 11, 30)
    assert rules.start_date(stamped) == date(2027, 1, 4)
    fallback = person(
        endDateOrg="soon", endDate="2026-10-01", startDateOrg="n/a", startDate="2025-02-03"
    )
    assert end_date(fallback) == date(2026, 10, 1)
    assert rules.start_date(fallback) == date(2025, 2, 3)
    unreadable = person(endDateOrg="2026-13-40", startDate="yesterday")
    assert end_date(unreadable) is None
    assert rules.start_date(unreadable) is None
