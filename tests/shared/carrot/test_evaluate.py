"""Evaluation: every operator's rules, null handling, and values the record gives."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shared.carrot import render
from shared.errors import CarrotTypeError
from tests.shared.carrot.support import selects, value

# --- arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2", 3),
        ("1 + 0.5", 1.5),
        ('"a" + "b"', "ab"),
        ('"n" + 1', "n1"),
        ('1 + "n"', "1n"),
        ('"on " + true', "on true"),
        ("'2021-01-01' + 1", date(2021, 1, 2)),
        ("1 + '2021-01-01'", date(2021, 1, 2)),
        ('"2021-01-31" + 1', date(2021, 2, 1)),
        ("\"Start: \" + '2021-01-01'", "Start: 2021-01-01"),
        ("[1] + [2, 3]", [1, 2, 3]),
    ],
)
def test_plus_adds_numbers_joins_text_and_moves_dates(text: str, expected: object) -> None:
    assert value(text) == expected


def test_plus_with_null_keeps_the_text_and_drops_the_number() -> None:
    assert value('missing + "x"') == "x"
    assert value('"x" + missing') == "x"
    assert value("missing + 1") is None
    assert value("missing + missing") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 - 7", -2),
        ("'2021-03-01' - 1", date(2021, 2, 28)),
        ("'2021-03-01' - '2021-02-01'", 28),
        ('"2021-03-01" - "2021-02-01"', 28),
        ('"5" - 2', 3),
        ("2 * 3", 6),
        ('"2" * 3', 6),
        ("7 / 2", 3.5),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("-x", -5),
        ('-"3"', -3),
    ],
)
def test_minus_times_divide_and_modulo(text: str, expected: object) -> None:
    assert value(text, {"x": 5}) == expected


def test_arithmetic_with_null_is_null() -> None:
    for op in "-*/%":
        assert value(f"missing {op} 2") is None
        assert value(f"2 {op} missing") is None
    assert value("-missing") is None


@pytest.mark.parametrize("text", ["true + 1", "'2021-01-01' + '2021-01-02'", "[1] + 2", '"a" * 2'])
def test_arithmetic_on_values_it_cannot_combine_is_a_type_error(text: str) -> None:
    with pytest.raises(CarrotTypeError, match="cannot evaluate"):
        value(text)


def test_dividing_by_zero_is_a_type_error_naming_the_expression() -> None:
    with pytest.raises(CarrotTypeError, match=r"`x / 0`.*division by zero"):
        value("x / 0", {"x": 4})


def test_an_integral_quotient_renders_without_a_decimal() -> None:
    assert render(value("6 / 2")) == "3"


# --- equality ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "expected"),
    [
        ('title = "VP"', {"title": "vp"}, True),
        ("tenure = 12", {"tenure": 12}, True),
        ("tenure = 12", {"tenure": 12.0}, True),
        ('tenure = "12"', {"tenure": 12}, True),
        ("tenure = 12", {"tenure": "12"}, True),
        ("active = true", {"active": True}, True),
        ('active = "TRUE"', {"active": True}, True),
        ("active = 1", {"active": True}, False),
        ("x = null", {}, True),
        ("x = null", {"x": ""}, True),
        ("x = null", {"x": "a"}, False),
        ("startDate = '2020-01-01'", {"startDate": "2020-01-01"}, True),
        ("startDate = '2020-01-01'", {"startDate": date(2020, 1, 1)}, True),
        ("startDate = '2020-01-01'", {"startDate": "2020-01-01T09:00:00Z"}, True),
        ('department = "engineering"', {"department": {"name": "Engineering"}}, True),
        ('department = "engineering"', {"department.name": "Engineering"}, True),
        ('tags = "oncall"', {"tags": ["mentor", "OnCall"]}, True),
        ('tags = ["x", "mentor"]', {"tags": ["mentor"]}, True),
        ("tags = level", {"tags": ["a", "b"], "level": ["c"]}, False),
        ('title != "VP"', {"title": "vp"}, False),
        ('title != "VP"', {}, True),
    ],
)
def test_equality_rules(text: str, record: dict[str, object], expected: bool) -> None:
    assert selects(text, record) is expected


# --- comparison ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "expected"),
    [
        ("tenure > 5", {"tenure": 6}, True),
        ("tenure <= 5", {"tenure": 5}, True),
        ("tenure < 5", {"tenure": "4"}, True),
        ('"b" > "A"', {}, True),
        ("startDate < '2020-01-01'", {"startDate": "2019-05-01"}, True),
        ("startDate >= '2020-01-01'", {"startDate": datetime(2020, 1, 1, 12)}, True),
        ("startDate > '-30d'", {"startDate": "2025-01-15"}, True),
        ("startDate > '-30d'", {"startDate": "2024-12-01"}, False),
        ("startDate < endDate", {"startDate": "2020-01-01", "endDate": "2021-01-01"}, True),
        ("scores > 90", {"scores": [10, 95]}, True),
        ("scores > 90", {"scores": []}, False),
    ],
)
def test_comparison_rules(text: str, record: dict[str, object], expected: bool) -> None:
    assert selects(text, record) is expected


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_comparing_with_null_or_blank_text_is_false(op: str) -> None:
    assert not selects(f"missing {op} 5")
    assert not selects(f"5 {op} missing")
    assert not selects(f"startDate {op} '2020-01-01'", {"startDate": ""})


def test_comparing_a_date_with_a_number_is_a_type_error_naming_both_values() -> None:
    with pytest.raises(CarrotTypeError, match=r"date 2020-01-01.*number 5"):
        value("startDate < 5", {"startDate": date(2020, 1, 1)})


def test_comparing_a_date_with_text_that_is_not_a_date_is_a_type_error() -> None:
    with pytest.raises(CarrotTypeError, match="string 'soon'"):
        value("startDate < '2020-01-01'", {"startDate": "soon"})


# --- match ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "expected"),
    [
        ("tags:call", {"tags": ["mentor", "oncall"]}, True),
        ("tenure:12", {"tenure": 112}, True),
        ("startDate:2020", {"startDate": date(2020, 5, 1)}, True),
        ("active:true", {"active": True}, True),
        ("department:eng", {"department": {"name": "Engineering", "id": "d1"}}, True),
        ("department:eng", {"department.name": "Engineering", "department.id": "d1"}, True),
        ("department:d1", {"department": {"name": "Engineering", "id": "d1"}}, False),
        ("name:lace", {"name": {"first": "Ada", "last": "Lovelace"}}, True),
        ("title:vp", {}, False),
        ("title:vp", {"title": None}, False),
    ],
)
def test_match_reads_any_value_as_its_text(
    text: str, record: dict[str, object], expected: bool
) -> None:
    assert selects(text, record) is expected


@pytest.mark.parametrize(
    ("field", "has_value"),
    [(None, False), ("", False), ([], False), ({}, False), (0, True), (False, True), ("x", True)],
)
def test_has_value_and_has_no_value_treat_empty_as_unset(field: object, has_value: bool) -> None:
    assert selects("x:*", {"x": field}) is has_value
    assert selects("x:", {"x": field}) is not has_value


# --- logic and choices ---------------------------------------------------------------------


def test_and_or_and_not_give_booleans() -> None:
    assert value("1 && 2") is True
    assert value('0 || ""') is False
    assert value("a && b && c", {"a": 1, "b": "x", "c": [1]}) is True
    assert value("a || b || c", {"c": 0}) is False
    assert value("!missing") is True
    assert value("![]") is True


def test_and_and_or_stop_at_the_first_deciding_operand() -> None:
    assert value("false && 1 / 0 > 1") is False
    assert value("true || 1 / 0 > 1") is True


def test_ternary_evaluates_only_the_chosen_branch() -> None:
    assert value("ok ? 1 : 1 / 0", {"ok": True}) == 1


def test_elvis_skips_null_empty_text_and_empty_lists() -> None:
    assert value('a ?: "x"', {"a": []}) == "x"
    assert value('a ?: "x"', {"a": 0}) == 0
    assert value('a ?: b ?: "x"', {}) == "x"


# --- indexes and members -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('split("a,b,c")[1]', "b"),
        ('split("a,b,c")[-1]', "c"),
        ('split("a,b,c")[7]', None),
        ('"abc"[0]', "a"),
        ("grants[i].shares", 50),
        ("grants[0].missing", None),
        ("title[0]", None),
        ("title.first", None),
        ("grants.shares", None),
        ('grants[0]["shares"]', 10),
    ],
)
def test_indexes_and_members_read_lists_text_and_objects(text: str, expected: object) -> None:
    record = {"grants": [{"shares": 10}, {"shares": 50}], "i": 1, "title": 7}
    assert value(text, record) == expected


# --- relative dates and the clock ----------------------------------------------------------


def test_a_quoted_relative_date_is_read_from_the_clock() -> None:
    assert value("'-30d'") == date(2025, 1, 1)
    assert value("'monthStart'") == date(2025, 1, 1)


def test_the_default_clock_is_the_real_date() -> None:
    from shared.carrot import compile_expression

    assert compile_expression("today()").evaluate({}) == date.today()
