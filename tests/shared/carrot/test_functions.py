"""Every function: its forms, its null handling, and its errors."""

from __future__ import annotations

from datetime import date

import pytest

from shared.carrot.functions import FUNCTIONS
from shared.errors import CarrotNameError, CarrotSyntaxError, CarrotTypeError
from tests.shared.carrot.support import value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('length("hello there")', 11),
        ('length(["a", "b"])', 2),
        ("length(person)", 2),
        ("length(1234)", 4),
        ("length(missing)", 0),
        ('LENGTH("ab")', 2),
    ],
)
def test_length_counts_characters_items_or_keys(text: str, expected: int) -> None:
    assert value(text, {"person": {"a": 1, "b": 2}}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('date("2025-03-04")', date(2025, 3, 4)),
        ('date("2025-03-04T10:00:00Z")', date(2025, 3, 4)),
        ("date('2025-03-04')", date(2025, 3, 4)),
        ('date("+1m")', date(2025, 2, 28)),
        ('date("-30d")', date(2025, 1, 1)),
        ('date("+2w")', date(2025, 2, 14)),
        ('date("today")', date(2025, 1, 31)),
        ('date("today+1m")', date(2025, 2, 28)),
        ('date("today-1y+1d")', date(2024, 2, 1)),
        ('date("yearStart+2q")', date(2025, 7, 1)),
        ('date("quarterStart")', date(2025, 1, 1)),
        ('date("quarterEnd")', date(2025, 3, 31)),
        ('date("monthEnd-1d")', date(2025, 1, 30)),
        ('date("weekStart")', date(2025, 1, 27)),
        ('date("yearEnd")', date(2025, 12, 31)),
        ('date("-30d", "2025-01-31")', date(2025, 1, 1)),
        ('date("+1m", "2024-01-31")', date(2024, 2, 29)),
        ("date(missing)", None),
        ('date("")', None),
        ('date("-1d", missing)', None),
    ],
)
def test_date_reads_absolute_and_relative_dates(text: str, expected: date | None) -> None:
    assert value(text) == expected


def test_date_of_a_field_reads_the_record_value() -> None:
    assert value("date(start) + 1", {"start": "2025-01-01"}) == date(2025, 1, 2)


def test_date_of_text_that_is_no_date_is_a_type_error_saying_what_to_write() -> None:
    with pytest.raises(CarrotTypeError, match=r"string 'soon' is not a date.*'-30d'"):
        value("date(x)", {"x": "soon"})


def test_today_is_the_clock_date() -> None:
    assert value("today()") == date(2025, 1, 31)
    assert value("today() - 1") == date(2025, 1, 30)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("MMMM d, yyyy", "January 5, 2025"),
        ("yyyy-MM-dd", "2025-01-05"),
        ("dd/MM/yy", "05/01/25"),
        ("EEE MMM d", "Sun Jan 5"),
        ("EEEE", "Sunday"),
        ("D u QQQ Q", "5 7 Q1 1"),
        ("'Week of' MMM d", "Week of Jan 5"),
        ("d''MM", "5'01"),
        ("'It''s' d", "It's 5"),
    ],
)
def test_format_date_follows_java_patterns(pattern: str, expected: str) -> None:
    assert value(f'formatDate(d, "{pattern}")', {"d": date(2025, 1, 5)}) == expected


def test_format_date_defaults_to_iso_and_reads_date_like_text() -> None:
    assert value("formatDate(d)", {"d": "2025-01-05"}) == "2025-01-05"
    assert value("formatDate(missing)") is None


def test_format_date_with_a_pattern_from_a_field_is_checked_when_evaluated() -> None:
    with pytest.raises(CarrotTypeError, match="does not support"):
        value("formatDate(d, p)", {"d": date(2025, 1, 5), "p": "hh:mm"})


def test_format_date_of_a_non_date_is_a_type_error() -> None:
    with pytest.raises(CarrotTypeError, match="formatDate needs a date"):
        value('formatDate(x, "yyyy")', {"x": 12})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string(12)", "12"),
        ("string(12.0)", "12"),
        ("string(1.5)", "1.5"),
        ("string(true)", "true"),
        ("string('2025-01-05')", "2025-01-05"),
        ('string(["a", null, "b"])', "a, b"),
        ("string(missing)", ""),
    ],
)
def test_string_renders_any_value(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("number(12)", 12),
        ('number("12")', 12),
        ('number(" 1.5 ")', 1.5),
        ("number(true)", 1),
        ("number(missing)", None),
        ('number("")', None),
    ],
)
def test_number_reads_numbers_and_numeric_text(text: str, expected: object) -> None:
    assert value(text) == expected


def test_number_of_other_text_is_a_type_error() -> None:
    with pytest.raises(CarrotTypeError, match="string 'twelve' is not a number"):
        value('number("twelve")')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('subString("hello", 1)', "ello"),
        ('subString("hello", 1, 3)', "el"),
        ('subString("hello", -5, 2)', "he"),
        ('subString("hello", 3, 99)', "lo"),
        ('subString("hello", 4, 2)', ""),
        ("subString(12345, 1, 3)", "23"),
        ("subString(missing, 1)", None),
        ('SUBSTRING("hello", 0, 1)', "h"),
    ],
)
def test_substring_cuts_text_by_clamped_positions(text: str, expected: str | None) -> None:
    assert value(text) == expected


def test_substring_needs_numeric_positions() -> None:
    with pytest.raises(CarrotTypeError, match="subString needs a number"):
        value('subString("hello", "x")')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('split("a, b ,c")', ["a", "b", "c"]),
        ('split("a;b", ";")', ["a", "b"]),
        ('split("a,,b")', ["a", "", "b"]),
        ("split(missing)", []),
    ],
)
def test_split_cuts_and_trims(text: str, expected: list[str]) -> None:
    assert value(text) == expected


def test_split_needs_a_non_empty_separator() -> None:
    with pytest.raises(CarrotTypeError, match="non-empty"):
        value('split("abc", "")')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('lower("MiXeD")', "mixed"),
        ('upper("MiXeD")', "MIXED"),
        ("lower(missing)", None),
        ("upper(department)", "ENGINEERING"),
        ('trim("  a b  ")', "a b"),
        ('join(["a", null, 1])', "a, 1"),
        ('join(["a", "b"], "/")', "a/b"),
        ('join("a")', "a"),
        ('replace("a-b-c", "-", "+")', "a+b+c"),
    ],
)
def test_text_functions(text: str, expected: str | None) -> None:
    assert value(text, {"department": {"name": "Engineering"}}) == expected


def test_replace_needs_something_to_replace() -> None:
    with pytest.raises(CarrotTypeError, match="non-empty"):
        value('replace("abc", "", "x")')


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("length()", 1, "1 argument for length()"),
        ('date("a", "b", "c")', 1, "1 to 2 arguments for date()"),
        ("x + today(1)", 5, "0 arguments for today()"),
        ('replace("a", "b")', 1, "3 arguments for replace()"),
    ],
)
def test_a_wrong_number_of_arguments_is_a_syntax_error(
    text: str, column: int, expected: str
) -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        value(text)
    assert caught.value.column == column
    assert caught.value.expected == expected


@pytest.mark.parametrize(
    ("text", "column"),
    [('date("soon")', 6), ('date("-1d", "later")', 13), ('formatDate(d, "hh")', 15)],
)
def test_literal_arguments_are_checked_when_compiled(text: str, column: int) -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        value(text)
    assert caught.value.column == column


def test_an_unknown_function_is_a_name_error_listing_the_known_ones() -> None:
    with pytest.raises(
        CarrotNameError, match=r"unknown function 'concat' at column 1.*formatDate\(\)"
    ):
        value("concat(a, b)")


def test_every_function_is_documented_in_the_module_table() -> None:
    from shared.carrot import functions

    doc = functions.__doc__ or ""
    assert all(f"``{spec.name}(" in doc for spec in FUNCTIONS.values())


def test_okta_asks_the_record_s_lookup_and_is_null_without_one() -> None:
    from shared.carrot import compile_source
    from shared.carrot.functions import OKTA_LOOKUP

    source = compile_source('okta(manager, "login")')
    seen: list[tuple[object, str]] = []

    def lookup(reference: object, attribute: str) -> str:
        seen.append((reference, attribute))
        return "boss@acme.example"

    record = {"manager": {"id": "m1"}, OKTA_LOOKUP: lookup}
    assert source.evaluate(record) == "boss@acme.example"
    assert seen == [({"id": "m1"}, "login")]
    assert source.evaluate({"manager": {"id": "m1"}}) is None
    assert source.evaluate({OKTA_LOOKUP: lookup}) is None  # no manager: no lookup
