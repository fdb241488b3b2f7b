"""Templates: text, ``{{ }}`` outputs and ``{% if %}`` blocks."""

from __future__ import annotations

from datetime import date

import pytest

from shared.carrot import compile_source, compile_template
from shared.errors import CarrotSyntaxError
from tests.shared.carrot.support import clock, fill

ADA = {"name": {"first": "Ada", "last": "Lovelace"}, "department": {"name": "Engineering"}}


def test_plain_text_comes_back_unchanged() -> None:
    assert fill("no tags } here {") == "no tags } here {"
    assert fill("") == ""


def test_outputs_render_values_as_profile_text() -> None:
    record = {"n": 3.0, "d": date(2025, 1, 5), "tags": ["a", "b"], "ok": True}
    assert fill("{{n}}|{{d}}|{{tags}}|{{ok}}|{{missing}}", record) == "3|2025-01-05|a, b|true|"


def test_outputs_hold_full_expressions() -> None:
    assert fill('{{ upper(name.first) + "!" }} {{ d + 1 }}', {**ADA, "d": date(2025, 1, 5)}) == (
        "ADA! 2025-01-06"
    )


def test_a_closing_brace_pair_inside_a_string_does_not_end_the_output() -> None:
    assert fill('{{ "}}" }} and {{ "%}" }}') == "}} and %}"


def test_white_space_around_tags_is_kept() -> None:
    assert fill("  {{ name.first }}\n{{name.last}}  ", ADA) == "  Ada\nLovelace  "


@pytest.mark.parametrize(
    ("record", "expected"),
    [({"x": 1}, "one"), ({"y": 1}, "two"), ({"z": 1}, "three"), ({}, "none")],
)
def test_the_first_true_branch_wins(record: dict[str, int], expected: str) -> None:
    text = "{% if x %}one{% elsif y %}two{% elsif z %}three{% else %}none{% endif %}"
    assert fill(text, record) == expected


def test_an_if_without_else_gives_nothing_when_false() -> None:
    assert fill("[{% if x %}yes{% endif %}]") == "[]"


def test_conditions_are_filters_with_white_space_and() -> None:
    text = "{% if department:eng name.first:ada %}match{% endif %}"
    assert fill(text, ADA) == "match"
    assert fill(text, {**ADA, "name": {"first": "Bob"}}) == ""


def test_if_blocks_nest() -> None:
    text = "{% if a %}A{% if b %}B{% else %}-{% endif %}{% else %}none{% endif %}"
    assert fill(text, {"a": 1, "b": 1}) == "AB"
    assert fill(text, {"a": 1}) == "A-"
    assert fill(text, {}) == "none"


def test_statement_keywords_ignore_letter_case_and_spacing() -> None:
    assert fill("{%IF x%}y{%  ELSE  %}n{%EndIf%}", {"x": 0}) == "n"


def test_a_template_reports_the_fields_it_reads() -> None:
    compiled = compile_template("{% if is:manager %}{{ title }}{% endif %}", clock=clock)
    assert compiled.fields == {"title", "directReports", "directs"}


def test_compile_source_treats_a_lone_if_tag_as_a_template() -> None:
    assert compile_source("{% if x %}y{% endif %}", clock=clock).evaluate({"x": 1}) == "y"


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("{% if x %}a", 12, "'{% endif %}' for the '{% if %}' in column 1"),
        ("a {% endif %}", 3, "'{% if %}' before '{% endif %}'"),
        ("{% if x %}a{% else %}b{% elsif y %}c{% endif %}", 23, "'{% endif %}' after '{% else %}'"),
        ("{% for x in y %}", 4, "if, elsif, else or endif after '{%'"),
        ("{% else x %}", 9, "'%}' after 'else'"),
        ("Hi {{ name.first", 17, "'}}' for the '{{' in column 4"),
        ("Hi {{ }}", 7, "a value"),
        ("{% if %}a{% endif %}", 7, "a value"),
        ("ok {{ a + }}", 11, "a value"),
    ],
)
def test_template_errors_name_columns_of_the_whole_text(
    text: str, column: int, expected: str
) -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_template(text)
    assert (caught.value.column, caught.value.expected) == (column, expected)


def test_an_error_inside_a_tag_shows_the_tag_end_as_what_was_found() -> None:
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_template("{{ a + }}")
    assert caught.value.found == "'}}'"
