"""Safety limits: counts and shares, per group and per attribute, each named when passed."""

from __future__ import annotations

from config.settings import SafetyConfig, SettingsConfig
from shared.core.models import FieldChange, PersonOutcome
from shared.core.safety import (
    PlannedTotals,
    Trip,
    allowed,
    ceiling,
    deactivations_allowed,
    deactivations_exceeded,
    exceeded,
    trips,
)


def removed(key: str, *groups: str) -> PersonOutcome:
    return PersonOutcome(key=key, status="updated", groups_removed=list(groups))


def changed(key: str, attribute: str, old: str | None, new: str | None) -> PersonOutcome:
    change = FieldChange(attribute=attribute, old=old, new=new)
    return PersonOutcome(key=key, status="updated", changes=[change])


def test_a_share_is_rounded_up_and_a_count_is_taken_as_it_is() -> None:
    assert allowed("10%", 95) == 10
    assert allowed("200", 5) == 200
    assert allowed("0%", 1000) == 0


def test_a_share_never_allows_fewer_than_min_people_but_a_count_is_exact() -> None:
    assert ceiling("20%", 10, 5) == 5
    assert ceiling("20%", 100, 5) == 20
    assert ceiling("3", 100, 5) == 3


def test_limits_are_on_by_default_and_null_turns_them_off() -> None:
    assert SettingsConfig().safety == SafetyConfig()
    assert SettingsConfig.model_validate({"safety": None}).safety is None
    defaults = SafetyConfig()
    assert (defaults.max_group_removals, defaults.max_blanked) == ("20%", "20%")
    assert (defaults.max_updates, defaults.max_creates, defaults.min_people) == ("50%", "200", 5)


def test_planned_totals_count_profiles_creates_removals_per_group_and_blanks() -> None:
    outcomes = [
        removed("a", "X", "Y"),
        PersonOutcome(key="b", status="created"),
        PersonOutcome(key="c", status="unchanged"),
        changed("d", "title", "Engineer", None),
        changed("e", "title", None, "Engineer"),
    ]
    totals = PlannedTotals.of(outcomes)
    assert (totals.updates, totals.creates, totals.group_removals) == (2, 1, 2)
    assert totals.removals_by_group == {"X": 1, "Y": 1}
    assert totals.blanked_by_attribute == {"title": 1}


def test_emptying_a_group_is_held_naming_the_group() -> None:
    outcomes = [removed(f"p{i}", "Engineering") for i in range(147)]
    found = trips(
        SafetyConfig(), PlannedTotals.of(outcomes), people=300, members={"Engineering": 147}
    )
    assert found == [Trip("max_group_removals", "Engineering", 147, 147, 30, "20%")]
    assert found[0].describe() == (
        "would remove 147 of 147 members from group 'Engineering'; "
        "settings.safety.max_group_removals allows 30 (20%)"
    )


def test_an_ordinary_day_passes_every_default_limit() -> None:
    # A team of 8 moves from Sales to Marketing, 40 titles change in a reorg, 12 hires arrive.
    outcomes = [removed(f"m{i}", "Sales") for i in range(8)]
    outcomes += [changed(f"t{i}", "title", "Engineer", "Software Engineer") for i in range(40)]
    outcomes += [PersonOutcome(key=f"h{i}", status="created") for i in range(12)]
    totals = PlannedTotals.of(outcomes)
    assert trips(SafetyConfig(), totals, people=300, members={"Sales": 45}) == []


def test_small_groups_may_lose_up_to_min_people_members() -> None:
    outcomes = [removed(f"p{i}", "Admins") for i in range(5)]
    totals = PlannedTotals.of(outcomes)
    assert trips(SafetyConfig(), totals, people=300, members={"Admins": 6}) == []
    six = PlannedTotals.of([*outcomes, removed("p6", "Admins")])
    assert [t.setting for t in trips(SafetyConfig(), six, people=300, members={"Admins": 7})] == [
        "max_group_removals"
    ]


def test_blanking_an_attribute_for_many_people_is_held_naming_the_attribute() -> None:
    outcomes = [changed(f"p{i}", "costCenter", "CC-1", None) for i in range(30)]
    reasons = exceeded(SafetyConfig(), PlannedTotals.of(outcomes), people=100, members={})
    assert reasons == [
        "would blank 'costCenter' for 30 of 100 people; settings.safety.max_blanked allows 20 (20%)"
    ]


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


def test_changing_most_profiles_and_creating_many_users_are_held() -> None:
    outcomes = [changed(f"p{i}", "title", "a", "b") for i in range(60)]
    outcomes += [PersonOutcome(key=f"n{i}", status="created") for i in range(4)]
    safety = SafetyConfig(max_creates="3")
    assert [
        t.setting for t in trips(safety, PlannedTotals.of(outcomes), people=100, members={})
    ] == [
        "max_updates",
        "max_creates",
    ]
