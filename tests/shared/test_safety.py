"""Safety limits: counts and shares, and which limit a plan passes."""

from __future__ import annotations

from config.settings import SafetyConfig
from shared.models import PersonOutcome
from shared.safety import (
    PlannedTotals,
    allowed,
    deactivations_allowed,
    deactivations_exceeded,
    exceeded,
)


def test_a_share_is_rounded_up_and_a_count_is_taken_as_it_is() -> None:
    assert allowed("10%", 95) == 10
    assert allowed("200", 5) == 200
    assert allowed("0%", 1000) == 0


def test_planned_totals_count_updates_creates_and_removals() -> None:
    outcomes = [
        PersonOutcome(key="a", status="updated", groups_removed=["X", "Y"]),
        PersonOutcome(key="b", status="created"),
        PersonOutcome(key="c", status="unchanged"),
    ]
    assert PlannedTotals.of(outcomes) == PlannedTotals(updates=1, creates=1, group_removals=2)


def test_every_limit_passed_is_named_with_its_numbers() -> None:
    safety = SafetyConfig(max_updates="10%", max_group_removals="5%", max_creates="3")
    totals = PlannedTotals(updates=11, creates=4, group_removals=6)
    reasons = exceeded(safety, totals, people=100, memberships=100)
    assert reasons == [
        "11 updates planned, limit 10% allows 10",
        "4 creates planned, limit 3 allows 3",
        "6 group removals planned, limit 5% allows 5",
    ]


def test_a_plan_within_limits_may_go_ahead() -> None:
    safety = SafetyConfig()
    assert exceeded(safety, PlannedTotals(10, 200, 5), people=100, memberships=100) == []


def test_max_deactivations_defaults_to_five_or_two_percent_whichever_is_larger() -> None:
    assert deactivations_allowed(None, 40) == ("5 or 2%", 5)
    assert deactivations_allowed(None, 1000) == ("5 or 2%", 20)
    assert deactivations_allowed("1%", 1000) == ("1%", 10)
    assert deactivations_exceeded(None, 5, 40) is None
    reason = deactivations_exceeded(None, 6, 40)
    assert reason == (
        "6 suspensions/deactivations planned, limit max_deactivations 5 or 2%"
        " of 40 managed users allows 5"
    )
