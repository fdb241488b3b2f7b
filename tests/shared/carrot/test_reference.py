"""Every example in shared/reference/carrot.md, with its documented result."""

from __future__ import annotations

from datetime import date

import pytest

from shared.carrot import compile_filter, compile_source, render
from shared.errors import CarrotNameError, CarrotSyntaxError
from tests.shared.carrot.support import clock, fill, selects, value

# --- values and references -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (".1", 0.1),
        ('"New York"', "New York"),
        ("'2020-01-01'", date(2020, 1, 1)),
        ("('2021-01-01')", date(2021, 1, 1)),
        ("date('2025-01-01')", date(2025, 1, 1)),
        ('["director", "vp"]', ["director", "vp"]),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_literals_from_the_reference_have_their_documented_values(
    text: str, expected: object
) -> None:
    assert value(text) == expected
    assert type(value(text)) is type(expected)


PERSON = {
    "title": "Director of Engineering",
    "name": {"first": "Ada", "last": "Lovelace"},
    "department": {"name": "Engineering"},
    "workAddress": {"city": "London"},
    "manager": {"contact": {"workEmail": "boss@example.com"}},
    "grants": [{"shares": 100}, {"shares": 50}],
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("title", "Director of Engineering"),
        ("name.first", "Ada"),
        ("department.name", "Engineering"),
        ("workAddress.city", "London"),
        ("manager.contact.workEmail", "boss@example.com"),
        ("grants[0].shares", 100),
    ],
)
def test_field_references_from_the_reference_read_dotted_paths(path: str, expected: object) -> None:
    assert value(path, PERSON) == expected


def test_a_path_through_a_missing_value_is_null_not_an_error() -> None:
    assert value("manager.contact.workEmail", {"manager": None}) is None
    assert value("grants[5].shares", PERSON) is None
    assert value("workAddress.city.zip", PERSON) is None


def test_a_flat_record_and_a_nested_record_both_resolve() -> None:
    assert value("name.first", {"name.first": "Ada"}) == "Ada"
    assert value("name.first", {"name": {"first": "Ada"}}) == "Ada"


# --- filter operators ----------------------------------------------------------------------


def test_title_colon_director_is_a_partial_case_insensitive_match() -> None:
    assert selects("title:director", {"title": "Director of Engineering"})
    assert selects("title:director", {"title": "Art DIRECTOR"})
    assert not selects("title:director", {"title": "Engineer"})


def test_several_words_after_a_colon_need_double_quotes() -> None:
    assert selects('title:"Director of Engineering"', {"title": "Senior Director of Engineering"})
    assert not selects('title:"Director of Engineering"', {"title": "Director of Sales"})


@pytest.mark.parametrize(
    ("department", "expected"),
    [("Engineering", True), ("Sales", True), ("Customer Success", True), ("Finance", False)],
)
def test_comma_alternatives_after_a_colon_match_any_of_them(
    department: str, expected: bool
) -> None:
    text = 'department:engineering,sales,"customer success"'
    assert selects(text, {"department": department}) is expected


def test_colon_star_means_has_a_value_and_a_bare_colon_means_has_none() -> None:
    assert selects("department:*", {"department": "Sales"})
    assert not selects("department:*", {"department": None})
    assert selects("department:", {})
    assert selects("department:", {"department": ""})
    assert not selects("department:", {"department": "Sales"})


def test_equals_is_exact_and_case_insensitive_for_strings() -> None:
    assert selects('title="Director of Engineering"', {"title": "director of engineering"})
    assert not selects(
        'title="Director of Engineering"', {"title": "Senior Director of Engineering"}
    )


def test_not_equals_negates_equals() -> None:
    assert selects('department!="engineering"', {"department": "Sales"})
    assert not selects('department!="engineering"', {"department": "Engineering"})


def test_a_list_on_either_side_of_equals_is_true_when_they_share_a_value() -> None:
    assert selects('["director", "vp"] = "vp"')
    assert not selects('["director", "vp"] = "ic"')
    assert selects('"VP" = ["director", "vp"]')


def test_comparisons_work_on_numbers_and_dates() -> None:
    assert selects("tenure>=12", {"tenure": 12})
    assert not selects("tenure>=12", {"tenure": 11})
    assert selects("startDate<'2020-01-01'", {"startDate": date(2019, 5, 1)})
    assert not selects("startDate<'2020-01-01'", {"startDate": date(2020, 1, 1)})


def test_boolean_logic_and_parentheses() -> None:
    record = {"a": True, "b": False}
    assert not selects("a && b", record)
    assert selects("a || b", record)
    assert selects("!b", record)
    assert selects("(a || b) && !(a && b)", record)


def test_clauses_separated_by_white_space_are_joined_by_and() -> None:
    assert selects("is:open daysOpen>90", {"daysOpen": 120})
    assert not selects("is:open daysOpen>90", {"daysOpen": 30})
    assert not selects("is:open daysOpen>90", {"daysOpen": 120, "personId": "p1"})


def test_the_built_in_filters_from_the_reference() -> None:
    manager = {"directReports": 3, "startDate": "2020-01-01"}
    newcomer = {"directReports": 0, "startDate": "2025-03-01"}
    leaver = {"directs": [], "startDate": "2019-01-01", "endDate": "2025-01-15"}
    assert selects("is:manager", manager) and not selects("is:manager", newcomer)
    assert selects("is:ic", newcomer) and not selects("is:ic", manager)
    assert selects("is:hire", newcomer) and not selects("is:hire", manager)
    assert selects("is:start", manager) and not selects("is:start", newcomer)
    assert selects("is:depart", leaver) and not selects("is:depart", manager)


# --- expressions ---------------------------------------------------------------------------


def test_plus_joins_strings() -> None:
    assert value('name.first + " " + name.last', PERSON) == "Ada Lovelace"


def test_plus_adds_days_to_a_date() -> None:
    assert value("('2021-01-01') + 1") == date(2021, 1, 2)


def test_elvis_gives_the_left_unless_it_is_null_or_empty() -> None:
    assert value("name.pref ?: name.first", {"name": {"pref": "Addie", "first": "Ada"}}) == "Addie"
    assert value("name.pref ?: name.first", {"name": {"pref": "", "first": "Ada"}}) == "Ada"
    assert value("name.pref ?: name.first", {"name": {"first": "Ada"}}) == "Ada"


def test_the_ternary_from_the_reference() -> None:
    assert value('tenure < 12 ? "new" : "tenured"', {"tenure": 3}) == "new"
    assert value('tenure < 12 ? "new" : "tenured"', {"tenure": 30}) == "tenured"


def test_postfix_if_gives_null_when_the_condition_fails() -> None:
    assert value("base if directs > 0", {"base": 10, "directs": 2}) == 10
    assert value("base if directs > 0", {"base": 10, "directs": 0}) is None


def test_the_functions_named_by_the_reference() -> None:
    assert value('length("hello there")') == 11
    assert value('date("+1m")') == date(2025, 2, 28)
    assert value('date("-30d", "2025-01-31")') == date(2025, 1, 1)
    assert value('date("today+1m")') == date(2025, 2, 28)
    assert value("today()") == date(2025, 1, 31)
    assert value("formatDate('2025-01-05', \"MMMM d, yyyy\")") == "January 5, 2025"
    assert value("string(12)") == "12"
    assert value('number("12")') == 12
    assert value('subString("hello", 1, 3)') == "el"
    assert value('split("a,b")') == ["a", "b"]
    assert value('lower("ABC")') == "abc"
    assert value('upper("abc")') == "ABC"


def test_dates_render_as_year_month_day() -> None:
    assert render(value("('2021-01-01') + 1")) == "2021-01-02"


# --- templates -----------------------------------------------------------------------------


def test_a_template_substitutes_expressions() -> None:
    assert fill("Hello {{name.first}} {{name.last}}", PERSON) == "Hello Ada Lovelace"


@pytest.mark.parametrize(
    ("department", "expected"),
    [("Engineering", "builds"), ("Sales", "sells"), ("Finance", "other")],
)
def test_if_elsif_else_chooses_a_branch(department: str, expected: str) -> None:
    text = (
        "{% if department:engineering %}builds{% elsif department:sales %}sells"
        "{% else %}other{% endif %}"
    )
    assert fill(text, {"department": department}) == expected


def test_a_source_containing_braces_is_a_template_and_otherwise_an_expression() -> None:
    assert compile_source("Hello {{name.first}}", clock=clock).kind == "template"
    assert compile_source("name.first", clock=clock).kind == "expression"
    assert compile_source("Hello {{name.first}}").evaluate(PERSON) == "Hello Ada"
    assert compile_source("name.first").evaluate(PERSON) == "Ada"


# --- errors --------------------------------------------------------------------------------


def test_the_documented_syntax_error_names_the_column_and_draws_a_caret() -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter("department:&& title:vp")
    lines = caught.value.render("groups[2].query").splitlines()
    assert lines[0].startswith("groups[2].query: expected a value after ':' at column 12")
    assert lines[1:] == ["  department:&& title:vp", "             ^"]
    assert caught.value.column == 12
    assert caught.value.found == "'&&'"


def test_an_unknown_function_fails_at_load_time_but_an_unknown_field_is_null() -> None:
    with pytest.raises(CarrotNameError, match="nosuch"):
        compile_source("nosuch(title)")
    assert value("nosuchfield") is None
