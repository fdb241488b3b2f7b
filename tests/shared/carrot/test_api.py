"""The public API: compile functions, Compiled, Clock and render."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest

import shared.carrot as carrot
from shared.carrot import (
    Compiled,
    compile_expression,
    compile_filter,
    compile_source,
    compile_template,
    render,
)
from tests.shared.carrot.support import clock


def test_the_package_exports_exactly_the_public_names() -> None:
    assert sorted(carrot.__all__) == [
        "Clock",
        "Compiled",
        "compile_expression",
        "compile_filter",
        "compile_source",
        "compile_template",
        "render",
    ]


def test_a_compiled_filter_keeps_its_text_kind_and_tree() -> None:
    compiled = compile_filter("title:vp is:manager")
    assert isinstance(compiled, Compiled)
    assert (compiled.text, compiled.kind) == ("title:vp is:manager", "filter")
    assert repr(compiled) == "Compiled(filter, 'title:vp is:manager')"


def test_matches_gives_a_bool_and_evaluate_the_value() -> None:
    compiled = compile_expression("name.first")
    assert compiled.evaluate({"name": {"first": "Ada"}}) == "Ada"
    assert compiled.matches({"name": {"first": "Ada"}}) is True
    assert compiled.matches({}) is False


def test_fields_lists_every_dotted_path_the_text_reads() -> None:
    compiled = compile_filter(
        "department.name:eng grants[0].shares > 1 length(tags[i]) > 0 || split(x)[0] = y"
    )
    assert compiled.fields == {"department.name", "grants[0].shares", "tags", "i", "x", "y"}


def test_a_template_evaluates_to_text() -> None:
    assert compile_template("{{ n }}").evaluate({"n": 2}) == "2"


def test_compile_source_picks_template_or_expression() -> None:
    assert compile_source("{{ a }}").kind == "template"
    assert compile_source("{% if a %}x{% endif %}").kind == "template"
    assert compile_source("a + 1").kind == "expression"


def test_the_clock_is_any_callable_returning_a_date() -> None:
    fixed = compile_expression("today()", clock=lambda: date(2000, 2, 29))
    assert fixed.evaluate({}) == date(2000, 2, 29)


def test_a_compiled_text_is_shared_safely_between_threads() -> None:
    compiled = compile_source(
        '{% if is:manager %}Lead {% endif %}{{ name.first ?: "?" }} {{ startDate + tenure }}',
        clock=clock,
    )
    records = [
        {"name": {"first": f"P{i}"}, "directs": i % 3, "startDate": "2020-01-01", "tenure": i}
        for i in range(400)
    ]
    expected = [compiled.evaluate(record) for record in records]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(compiled.evaluate, records * 5))
    assert results == expected * 5


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("text", "text"),
        (True, "true"),
        (False, "false"),
        (12, "12"),
        (12.0, "12"),
        (-0.5, "-0.5"),
        (1e20, "100000000000000000000"),
        (float("inf"), "inf"),
        (date(2025, 1, 5), "2025-01-05"),
        (datetime(2025, 1, 5, 9, 30), "2025-01-05T09:30:00"),
        (["a", None, 2, date(2025, 1, 5)], "a, 2, 2025-01-05"),
        ((), ""),
        ({"name": "Engineering", "id": "d1"}, "Engineering"),
        ({"first": "Ada", "last": "Lovelace"}, "Ada Lovelace"),
    ],
)
def test_render_gives_the_text_an_okta_attribute_gets(given: object, expected: str | None) -> None:
    assert render(given) == expected
