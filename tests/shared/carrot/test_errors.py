"""Errors: what failed, where, what was expected and found, and what to do."""

from __future__ import annotations

import pytest

from shared.carrot import compile_expression, compile_filter
from shared.errors import (
    CarrotError,
    CarrotNameError,
    CarrotSyntaxError,
    CarrotTypeError,
    HopsyncError,
)
from tests.shared.carrot.support import value


@pytest.mark.parametrize(
    ("text", "column", "expected", "found"),
    [
        ("department:&& title:vp", 12, "a value after ':'", "'&&'"),
        ("department:eng,&&x", 16, "a value after ','", "'&&'"),
        ("department:eng,", 16, "a value after ','", "end of text"),
        ("title = ", 9, "a value", "end of text"),
        ("(a || b", 8, "')' for the '(' in column 1", "end of text"),
        ("[1, 2", 6, "']' or ',' in the list begun in column 1", "end of text"),
        ('length("abc"', 13, "')' or ',' in the call to length() begun in column 7", "end of text"),
        ('title = "vp', 12, "'\"' to end the string begun in column 9", "end of text"),
        ("d < '2020-01-01", 16, '"\'" to end the date begun in column 5', "end of text"),
        ("a ? b", 6, "':' for the '?' in column 3", "end of text"),
        ("a @ b", 3, "a value or an operator", "'@'"),
        ("a & b", 3, "'&&' (and)", "'&'"),
        ("a | b", 3, "'||' (or)", "'|'"),
        ("12px", 3, "an operator or white space after the number", "'p'"),
        ("d < '2020-02-30'", 5, "a real calendar date", "'2020-02-30'"),
        (
            "d < 'soon'",
            5,
            "a date such as '2020-01-01' or a relative date such as '-30d'",
            "'soon'",
        ),
        ("title:*x", 8, "white space or an operator after ':*'", "'x'"),
        ("is:", 4, "a built-in filter name after 'is:'", "end of text"),
        ("a.", 3, "a field name after '.'", "end of text"),
        ("if", 1, "a value", "'if'"),
        ("", 1, "a value", "end of text"),
        ("1e999", 1, "a finite number", "'1e999'"),
    ],
)
def test_syntax_errors_say_where_what_was_expected_and_what_was_found(
    text: str, column: int, expected: str, found: str
) -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter(text)
    error = caught.value
    assert (error.column, error.expected, error.found) == (column, expected, found)
    assert error.text == text


def test_a_space_after_a_comma_gets_a_hint_about_alternatives() -> None:
    with pytest.raises(CarrotSyntaxError, match=r"take no space: title:vp,director"):
        compile_filter("department:eng, sales")


@pytest.mark.parametrize(
    ("text", "column", "word", "symbol"),
    [
        ("department:engineering AND is:manager", 24, "AND", "&&"),
        ("title:vp or title:director", 10, "or", "||"),
        ("NOT department:sales", 1, "NOT", "!"),
    ],
)
def test_a_bare_and_or_not_is_an_error_that_names_the_carrot_operators(
    text: str, column: int, word: str, symbol: str
) -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter(text)
    error = caught.value
    assert (error.column, error.found) == (column, f"'{word}'")
    assert error.expected == f"'{symbol}' (Carrot writes AND, OR, NOT as &&, ||, !)"
    assert error.render("groups[0].query").splitlines()[2] == "  " + " " * (column - 1) + "^"


def test_fields_named_like_the_words_still_read_when_written_as_paths() -> None:
    assert compile_filter("not.really:x").fields == {"not.really"}
    assert compile_filter("and:x").fields == {"and"}


def test_the_message_draws_a_caret_under_the_column() -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter("(a || b")
    assert str(caught.value).splitlines()[1:] == ["  (a || b", "         ^"]


def test_an_unknown_function_is_a_name_error_at_compile_time() -> None:
    with pytest.raises(CarrotNameError) as caught:
        compile_expression('x + nosuch("a")')
    assert "unknown function 'nosuch' at column 5" in str(caught.value)
    assert "'x + nosuch(\"a\")'" in str(caught.value)


def test_an_unknown_built_in_filter_names_the_known_ones() -> None:
    with pytest.raises(CarrotNameError, match=r"'is:boss' at column 4.*is:manager"):
        compile_filter("is:boss")


def test_a_type_error_names_the_expression_the_problem_and_the_values() -> None:
    with pytest.raises(CarrotTypeError) as caught:
        value('startDate - "abc"', {"startDate": "2020-01-01"})
    message = str(caught.value)
    assert '`startDate - "abc"`' in message
    assert "a date minus a string" in message
    assert "string '2020-01-01'" in message and "string 'abc'" in message
    assert "convert it with date(), number() or string()" in message


def test_a_type_error_inside_a_larger_expression_names_the_failing_part() -> None:
    with pytest.raises(CarrotTypeError, match=r"`b - 'x'`|`b - c`"):
        value("a + (b - c)", {"a": 1, "b": "2020-01-01", "c": "x"})


def test_a_type_error_in_a_function_names_the_call() -> None:
    with pytest.raises(CarrotTypeError, match=r"`number\(title\)`.*string 'VP'"):
        value("number(title)", {"title": "VP"})


def test_a_relative_date_out_of_range_is_a_type_error() -> None:
    with pytest.raises(CarrotTypeError, match="out of range"):
        value("'+99999y'")


def test_every_carrot_error_is_a_hopsync_error() -> None:
    for kind in (CarrotSyntaxError, CarrotNameError, CarrotTypeError):
        assert issubclass(kind, CarrotError)
        assert issubclass(kind, HopsyncError)
