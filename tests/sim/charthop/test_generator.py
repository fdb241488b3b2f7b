"""Generated orgs are realistic, consistent trees, and the same seed always gives the same org."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from sim.charthop import email_local, generate_org
from sim.charthop.catalog import DEPARTMENTS, EMPLOYMENT

TODAY = date(2026, 11, 28)
ORG = generate_org(1000, seed=11, today=TODAY)


def _by_id(people: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {person["id"]: person for person in people}


def test_the_same_seed_gives_the_same_org_and_another_seed_another() -> None:
    assert generate_org(1000, seed=11, today=TODAY) == ORG
    assert generate_org(1000, seed=12, today=TODAY) != ORG


def test_ids_look_like_charthop_ids_and_are_unique() -> None:
    ids = [p["id"] for p in ORG] + [p["jobId"] for p in ORG]
    assert all(re.fullmatch(r"[0-9a-f]{24}", value) for value in ids)
    assert len(set(ids)) == len(ids) == 2000
    assert len({p["employeeId"] for p in ORG}) == 1000


def test_work_emails_are_unique_lowercase_first_dot_last_with_dedup_suffixes() -> None:
    emails = [p["contact"]["workEmail"] for p in ORG]
    assert len(set(emails)) == len(emails) == 1000
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@acme\.example", email) for email in emails)
    assert any(re.search(r"\d@", email) for email in emails)
    for person in ORG:
        local = email_local(person["name"]["first"], person["name"]["last"])
        assert person["contact"]["workEmail"].startswith(local)


def test_email_local_parts_drop_accents_and_apostrophes() -> None:
    assert email_local("Zoë", "O'Brien") == "zoe.obrien"
    assert email_local("José", "Fernández") == "jose.fernandez"


def test_the_tree_has_one_ceo_every_manager_exists_and_report_counts_match() -> None:
    people = _by_id(ORG)
    roots = [p for p in ORG if "manager" not in p]
    assert [p["title"] for p in roots] == ["Chief Executive Officer"]
    counts = Counter(p["manager"]["id"] for p in ORG if "manager" in p)
    for person in ORG:
        assert person["directReports"] == counts.get(person["id"], 0)
        if "manager" in person:
            manager = people[person["manager"]["id"]]
            assert person["manager"]["contact"]["workEmail"] == manager["contact"]["workEmail"]


def test_every_chain_of_managers_reaches_the_ceo() -> None:
    people = _by_id(ORG)
    for person in ORG:
        seen = set()
        while "manager" in person:
            assert person["id"] not in seen
            seen.add(person["id"])
            person = people[person["manager"]["id"]]
        assert person["title"] == "Chief Executive Officer"


def test_titles_departments_and_employment_are_realistic() -> None:
    titles = {p["title"] for p in ORG}
    assert {"Director of Engineering", "VP Sales", "Software Engineer II"} <= titles
    departments = {p["department"]["name"] for p in ORG}
    assert departments == {d.name for d in DEPARTMENTS} | {"Executive"}
    assert {p["employment"] for p in ORG} <= {kind for kind, _ in EMPLOYMENT}
    managers = [p for p in ORG if p["directReports"] > 0]
    assert all(p["employment"] == "Full Time" for p in managers)
    assert sum(1 for p in ORG if "pref" in p["name"]) > 0


def test_a_default_share_of_people_has_a_blank_location_and_the_rest_an_address() -> None:
    blank = [p for p in ORG if "location" not in p]
    assert len(blank) == 80
    cities = {p["location"]["address"]["city"] for p in ORG if "location" in p}
    assert len(cities) >= 5
    for person in ORG:
        if "location" in person:
            assert set(person["location"]["address"]) == {"city", "state", "country"}


def test_a_default_two_percent_start_in_the_future_and_they_manage_nobody() -> None:
    future = [p for p in ORG if date.fromisoformat(p["startDate"]) > TODAY]
    assert len(future) == 20
    assert all(p["directReports"] == 0 and p["startDateOrg"] == p["startDate"] for p in future)
    past = [p for p in ORG if p not in future]
    assert all(date.fromisoformat(p["startDateOrg"]) <= date.fromisoformat(p["startDate"])
               <= TODAY for p in past)  # fmt: skip


def test_shares_are_configurable() -> None:
    people = generate_org(
        200,
        seed=1,
        today=TODAY,
        no_email_share=0.05,
        blank_location_share=0,
        future_start_share=0.1,
        domain="Example.ORG",
    )
    assert sum(1 for p in people if "workEmail" not in p["contact"]) == 10
    assert all("location" in p for p in people)
    assert sum(1 for p in people if p["startDate"] > TODAY.isoformat()) == 20
    emails = [p["contact"]["workEmail"] for p in people if "workEmail" in p["contact"]]
    assert all(email.endswith("@example.org") for email in emails)
    people_by_id = _by_id(people)
    for person in people:
        if (
            "manager" in person
            and "workEmail" not in people_by_id[person["manager"]["id"]]["contact"]
        ):
            assert "contact" not in person["manager"]


def test_tiny_orgs_are_still_trees() -> None:
    assert generate_org(0) == []
    (ceo,) = generate_org(1, today=TODAY)
    assert ceo["directReports"] == 0 and "manager" not in ceo
    five = generate_org(5, today=TODAY)
    assert sum(p["directReports"] for p in five) == 4


@pytest.mark.parametrize("bad", [{"size": -1}, {"size": 5, "blank_location_share": 1.5}])
def test_impossible_sizes_and_shares_are_refused(bad: dict[str, Any]) -> None:
    size = bad.pop("size")
    with pytest.raises(ValueError, match="must be"):
        generate_org(size, **bad)
