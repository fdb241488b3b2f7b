"""Changing people in the fake keeps the org consistent: managers, report counts, departures."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sim.charthop import FakeChartHop

TODAY = date(2026, 11, 28)


def _fake(size: int = 60, departed: int = 0) -> FakeChartHop:
    return FakeChartHop.generated(size, seed=5, today=TODAY, departed=departed)


def _assert_counts_consistent(fake: FakeChartHop) -> None:
    counts = Counter(p["manager"]["id"] for p in fake.people.values() if "manager" in p)
    for person in fake.people.values():
        assert person["directReports"] == counts.get(person["id"], 0), person["id"]
        if "manager" in person:
            assert person["manager"]["id"] in fake.people


def _an_ic(fake: FakeChartHop) -> str:
    return str(
        next(p["id"] for p in fake.people.values() if not p["directReports"] and "manager" in p)
    )


def _a_manager_below_ceo(fake: FakeChartHop) -> str:
    return str(next(p["id"] for p in fake.people.values() if p["directReports"] and "manager" in p))


def test_an_update_with_dotted_keys_changes_only_those_fields() -> None:
    fake = _fake()
    person_id = _an_ic(fake)
    before = fake.people[person_id]
    after = fake.update_person(person_id, {"title": "Staff Engineer", "name.pref": "Dee"})
    assert after["title"] == "Staff Engineer"
    assert after["name"] == {**before["name"], "pref": "Dee"}
    assert fake.people[person_id] == after
    assert fake.update_person(person_id, {"location": None}).get("location") is None


def test_a_new_manager_moves_the_person_and_both_report_counts() -> None:
    fake = _fake()
    person_id, new_manager = _an_ic(fake), _a_manager_below_ceo(fake)
    old_manager = fake.people[person_id]["manager"]["id"]
    before_old = fake.people[old_manager]["directReports"]
    moved = fake.update_person(person_id, {"manager.id": new_manager})
    assert moved["manager"] == {
        "id": new_manager,
        "contact": {"workEmail": fake.people[new_manager]["contact"]["workEmail"]},
    }
    if old_manager != new_manager:
        assert fake.people[old_manager]["directReports"] == before_old - 1
    _assert_counts_consistent(fake)


def test_a_new_work_email_reaches_the_manager_field_of_the_reports() -> None:
    fake = _fake()
    manager_id = _a_manager_below_ceo(fake)
    fake.update_person(manager_id, {"contact.workEmail": "new.boss@acme.example"})
    reports = [p for p in fake.people.values() if p.get("manager", {}).get("id") == manager_id]
    assert reports
    assert all(p["manager"]["contact"]["workEmail"] == "new.boss@acme.example" for p in reports)


def test_a_hire_gets_ids_and_counts_as_a_report_of_its_manager() -> None:
    fake = _fake()
    manager_id = _a_manager_below_ceo(fake)
    count = fake.people[manager_id]["directReports"]
    hired = fake.hire({"name.first": "Nia", "contact.workEmail": "nia@x", "manager.id": manager_id})
    assert len(hired["id"]) == 24 and hired["id"] in fake.people
    assert hired["directReports"] == 0
    assert fake.people[manager_id]["directReports"] == count + 1
    _assert_counts_consistent(fake)


def test_a_departure_moves_the_reports_up_and_ends_the_person() -> None:
    fake = _fake()
    manager_id = _a_manager_below_ceo(fake)
    grand_manager = fake.people[manager_id]["manager"]["id"]
    reports = [
        p["id"] for p in fake.people.values() if p.get("manager", {}).get("id") == manager_id
    ]
    gone = fake.depart(manager_id, on=date(2026, 1, 31))
    assert gone["endDateOrg"] == "2026-01-31"
    assert manager_id not in fake.people and manager_id in fake.departed
    assert all(fake.people[r]["manager"]["id"] == grand_manager for r in reports)
    _assert_counts_consistent(fake)
    with pytest.raises(KeyError, match="already departed"):
        fake.depart(manager_id)


def test_a_departed_person_can_be_hired_back() -> None:
    fake = _fake()
    person_id = _an_ic(fake)
    gone = fake.depart(person_id)
    manager_id = _a_manager_below_ceo(fake)
    back = fake.hire({**gone, "manager": {"id": manager_id}})
    assert back["id"] == person_id and "endDateOrg" not in back
    assert person_id in fake.people and person_id not in fake.departed
    _assert_counts_consistent(fake)


def test_unknown_people_and_managers_are_refused_by_name() -> None:
    fake = _fake()
    with pytest.raises(KeyError, match="no person 'nobody'"):
        fake.update_person("nobody", {"title": "x"})
    with pytest.raises(KeyError, match="manager 'ghost'"):
        fake.update_person(_an_ic(fake), {"manager.id": "ghost"})
    _assert_counts_consistent(fake)


def test_a_generated_fake_holds_the_asked_active_and_departed_people() -> None:
    fake = _fake(100, departed=7)
    assert (len(fake.people), len(fake.departed)) == (100, 7)
    assert all(p["endDateOrg"] < TODAY.isoformat() for p in fake.departed.values())
    _assert_counts_consistent(fake)


def test_the_repr_shows_the_org_but_never_the_token() -> None:
    fake = FakeChartHop([], token="sim-secret-999")
    assert "sim-secret-999" not in repr(fake)
    assert fake.token_matches("Bearer sim-secret-999")
    assert not fake.token_matches("Bearer sim-secret-99")
    assert not fake.token_matches(None)


def test_events_about_a_person_carry_the_org_job_and_current_record() -> None:
    fake = _fake()
    person_id = _an_ic(fake)
    event = fake.event("change.update.data", person_id, ["title"])
    assert event["orgId"] == fake.org_id
    assert event["jobId"] == fake.people[person_id]["jobId"]
    assert event["payload"] == fake.people[person_id]
    assert event["fields"] == ["title"]


def test_query_results_follow_changes_made_through_the_methods() -> None:
    fake = _fake()
    person_id = _an_ic(fake)
    assert fake.matching('title="Chief Wizard"', False) == []
    fake.update_person(person_id, {"title": "Chief Wizard"})
    assert [p["id"] for p in fake.matching('title="Chief Wizard"', False)] == [person_id]


def test_a_departure_dated_in_the_future_stays_active_until_its_day() -> None:
    fake = _fake()
    leaver = _an_ic(fake)
    fake.depart(leaver, on=date(2026, 12, 4))
    assert leaver in fake.people and fake.people[leaver]["endDateOrg"] == "2026-12-04"
    assert leaver in {p["id"] for p in fake.matching(None, include_all=False)}
    fake.today = lambda: date(2026, 12, 4)
    assert leaver not in {p["id"] for p in fake.matching(None, include_all=False)}
    assert leaver in fake.departed and leaver in {p["id"] for p in fake.matching(None, True)}
    _assert_counts_consistent(fake)
