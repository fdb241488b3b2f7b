"""The ``is:`` built-in filters and the exact fields each reads."""

from __future__ import annotations

import pytest

from shared.carrot import compile_filter
from tests.shared.carrot.support import clock, selects


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (3, True),
        (0, False),
        ("2", True),
        ("0", False),
        (["p1"], True),
        ([], False),
        ({"p1": {}}, True),
        (True, True),
        (None, False),
    ],
)
def test_manager_means_direct_reports_by_count_list_or_object(
    reports: object, expected: bool
) -> None:
    assert selects("is:manager", {"directReports": reports}) is expected
    assert selects("is:manager", {"directs": reports}) is expected
    assert selects("is:ic", {"directs": reports}) is not expected


def test_manager_reads_either_field_and_a_person_without_them_is_an_ic() -> None:
    assert selects("is:manager", {"directReports": 0, "directs": ["p"]})
    assert selects("is:ic", {})


def test_built_ins_read_their_fields_in_flat_records_too() -> None:
    assert selects("is:person", {"name.first": "Ada"})
    assert selects("is:hire", {"startDate": "2025-06-01"})


def test_person_and_open_split_rows_by_whether_they_name_a_person() -> None:
    assert selects("is:person", {"personId": "p1"})
    assert selects("is:person", {"name": {"last": "Lovelace"}})
    assert selects("is:open", {"title": "Engineer", "personId": None})
    assert not selects("is:open", {"personId": "p1"})


@pytest.mark.parametrize(
    ("record", "hire", "start", "depart"),
    [
        ({"startDate": "2025-02-01"}, True, False, False),
        ({"startDate": "2025-01-31"}, False, True, False),
        ({"startDate": "2020-01-01", "endDate": "2025-01-31"}, False, False, True),
        ({"startDate": "2020-01-01", "endDate": "2025-02-01"}, False, True, False),
        ({"startDateOrg": "2025-03-01", "startDate": "2020-01-01"}, True, False, False),
        (
            {"startDate": "2020-01-01", "endDateOrg": "2025-01-01", "endDate": "2026-01-01"},
            False,
            False,
            True,
        ),
        ({}, False, False, False),
        ({"startDate": "not a date"}, False, False, False),
    ],
)
def test_hire_start_and_depart_compare_dates_with_today(
    record: dict[str, str], hire: bool, start: bool, depart: bool
) -> None:
    assert (
        selects("is:hire", record),
        selects("is:start", record),
        selects("is:depart", record),
    ) == (
        hire,
        start,
        depart,
    )


def test_comma_names_any_of_several_built_ins() -> None:
    assert selects("is:hire,manager", {"directReports": 1})
    assert selects("is:hire,manager", {"startDate": "2026-01-01"})
    assert not selects("is:hire,manager", {})


def test_date_built_ins_follow_the_clock() -> None:
    record = {"startDate": "2025-02-01"}
    assert compile_filter("is:hire", clock=clock).matches(record)
    later = compile_filter("is:hire", clock=lambda: clock().replace(month=3))
    assert not later.matches(record)


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("person", {"personId", "name.first", "name.last"}),
        ("open", {"personId", "name.first", "name.last"}),
        ("manager", {"directReports", "directs"}),
        ("ic", {"directReports", "directs"}),
        ("hire", {"startDateOrg", "startDate"}),
        ("start", {"startDateOrg", "startDate", "endDateOrg", "endDate"}),
        ("depart", {"endDateOrg", "endDate"}),
    ],
)
def test_each_built_in_reports_the_fields_it_reads(name: str, fields: set[str]) -> None:
    assert compile_filter(f"is:{name}").fields == fields
