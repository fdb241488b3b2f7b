"""ChartHop's own documented Carrot examples, each parsed and evaluated as ChartHop documents it.

Sources (docs.charthop.com, Carrot reference): "Getting started with Carrot" (its two example
tables and the constructing-queries text), "Key Concepts" (fields, operators, keywords), ": (match)"
(sample usage) and "?: (elvis)" (sample usage). Where a documented example and a rule of
../shared/reference/carrot.md disagree, the example wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from shared.carrot import compile_filter
from shared.errors import CarrotNameError
from tests.shared.carrot.support import clock, value


def dept(name: str, **more: Any) -> dict[str, Any]:
    """A person in a department (ChartHop answers the department as an object)."""
    return {"department": {"name": name}, **more}


# (page, example, what ChartHop says it selects, people it selects, people it leaves out)
FILTERS: list[tuple[str, str, str, list[Mapping[str, Any]], list[Mapping[str, Any]]]] = [
    (
        "getting started",
        "title:director",
        'everyone with "director" somewhere in their title',
        [{"title": "Director of Sales"}, {"title": "Art DIRECTOR"}],
        [{"title": "Engineer"}, {}],
    ),
    (
        "getting started",
        'title="Director of Engineering"',
        'the exact title "Director of Engineering"',
        [{"title": "Director of Engineering"}],
        [{"title": "Senior Director of Engineering"}],
    ),
    (
        "getting started",
        "startDate<'2020-01-01'",
        "everyone who started before Jan 1 2020",
        [{"startDate": "2019-06-01"}],
        [{"startDate": "2020-01-01"}, {"startDate": "2021-03-01"}],
    ),
    (
        "getting started",
        "is:manager",
        "all people managers",
        [{"directReports": 3}],
        [{"directReports": 0}, {}],
    ),
    (
        "getting started",
        "!department:sales,marketing",
        "everyone who is not in the Sales or Marketing departments",
        [dept("Engineering"), dept("Finance")],
        [dept("Sales"), dept("Marketing")],
    ),
    (
        "getting started",
        "is:open daysOpen>90",
        "open jobs that have been open for more than 90 days",
        [{"daysOpen": 120}],
        [{"daysOpen": 30}, {"daysOpen": 120, "personId": "p1"}],
    ),
    (
        "getting started",
        "is:open (base+variable)>150000",
        "open jobs with base plus variable compensation over $150,000",
        [{"base": 120_000, "variable": 40_000}],
        [{"base": 100_000, "variable": 20_000}, {"base": 200_000, "personId": "p1"}],
    ),
    (
        "getting started",
        "title:\"director\" && startDate<'2020-01-01'",
        '"director" somewhere in the title and started before January 1st, 2020',
        [{"title": "Director of Sales", "startDate": "2018-01-01"}],
        [
            {"title": "Director of Sales", "startDate": "2021-01-01"},
            {"title": "Engineer", "startDate": "2018-01-01"},
        ],
    ),
    (
        "key concepts",
        'department="engineering"',
        "all records where department is engineering",
        [dept("Engineering")],
        [dept("Engineering Ops"), dept("Sales")],
    ),
    (
        "key concepts",
        "directs>0 && department:engineering",
        "managers in engineering (two clauses joined)",
        [dept("Engineering", directs=2)],
        [dept("Engineering", directs=0), dept("Sales", directs=2)],
    ),
    (
        "key concepts",
        "directs>0 && !department:accounting",
        "has reports and is not in accounting",
        [dept("Engineering", directs=2), {"directs": 1}],
        [dept("Accounting", directs=2), dept("Engineering", directs=0)],
    ),
    (
        "key concepts",
        'department!="engineering"',
        "department is not engineering",
        [dept("Sales")],
        [dept("Engineering")],
    ),
    (
        "key concepts",
        'workAddress.city:"Oak Park"',
        "the city property of the work address matches Oak Park",
        [{"workAddress": {"city": "Oak Park"}}],
        [{"workAddress": {"city": "Chicago"}}, {}],
    ),
    (
        "match",
        "department:engineering",
        "department contains the string engineering",
        [dept("Engineering"), dept("Platform Engineering")],
        [dept("Sales")],
    ),
    (
        "match",
        "department:eng",
        "department contains the string eng",
        [dept("Engineering")],
        [dept("Sales")],
    ),
    (
        "match",
        'department:engineering,sales,"customer success"',
        "department matches any of engineering, sales, customer success",
        [dept("Engineering"), dept("Sales"), dept("Customer Success")],
        [dept("Finance")],
    ),
    (
        "match",
        "department:*",
        "department has any value",
        [dept("Sales")],
        [{}, {"department": None}],
    ),
    (
        "match",
        "department:",
        "department has no value",
        [{}, {"department": ""}],
        [dept("Sales")],
    ),
]


@pytest.mark.parametrize(
    ("page", "example", "meaning", "selected", "left_out"),
    FILTERS,
    ids=[row[1] for row in FILTERS],
)
def test_each_documented_filter_selects_what_charthop_says_it_selects(
    page: str,
    example: str,
    meaning: str,
    selected: list[Mapping[str, Any]],
    left_out: list[Mapping[str, Any]],
) -> None:
    compiled = compile_filter(example, clock=clock)
    for person in selected:
        assert compiled.matches(person), f"{example} ({page}: {meaning}) should select {person}"
    for person in left_out:
        assert not compiled.matches(person), f"{example} ({page}: {meaning}) selected {person}"


# (page, example, record, documented value)
EXPRESSIONS: list[tuple[str, str, Mapping[str, Any], Any]] = [
    ("key concepts", "workAddress.city", {"workAddress": {"city": "Oak Park"}}, "Oak Park"),
    ("getting started", "grants[0].shares", {"grants": [{"shares": 12}, {"shares": 9}]}, 12),
    ("elvis", "name.pref ?: name.first", {"name": {"pref": "Addie", "first": "Ada"}}, "Addie"),
    ("elvis", "name.pref ?: name.first", {"name": {"first": "Ada"}}, "Ada"),
]


@pytest.mark.parametrize(("page", "example", "record", "expected"), EXPRESSIONS)
def test_each_documented_expression_gives_the_documented_value(
    page: str, example: str, record: Mapping[str, Any], expected: Any
) -> None:
    assert value(example, record) == expected, page


def test_a_documented_example_using_a_function_hopsync_lacks_is_refused_at_load_time() -> None:
    # "people who vest more than 1000 shares in the next year": equity vesting is outside what a
    # directory sync reads, so the function is not implemented; it must fail loudly, not misread.
    with pytest.raises(CarrotNameError, match="unknown function 'vestedShares'"):
        compile_filter("vestedShares(today,date('+1y'))>1000", clock=clock)
