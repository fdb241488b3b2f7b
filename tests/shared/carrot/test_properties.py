"""Properties: the parser fails only with Carrot errors, and printing then parsing is lossless."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.carrot import (
    compile_expression,
    compile_filter,
    compile_source,
    compile_template,
    render,
)
from shared.carrot import nodes as n
from shared.carrot.parser import parse
from shared.carrot.printer import to_text
from shared.carrot.templates import parse_template
from shared.errors import CarrotNameError, CarrotSyntaxError, CarrotTypeError
from tests.shared.carrot.strategies import (
    carrot_like_text,
    expressions,
    records,
    templates,
)
from tests.shared.carrot.support import clock

COMPILERS = [compile_filter, compile_expression, compile_template, compile_source]
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _compiles_or_reports(text: str) -> None:
    for compile_text in COMPILERS:
        try:
            compile_text(text)
        except (CarrotSyntaxError, CarrotNameError) as error:
            assert str(error)


@FAST
@given(st.text(max_size=40))
def test_any_text_compiles_or_raises_a_carrot_syntax_or_name_error(text: str) -> None:
    _compiles_or_reports(text)


@FAST
@given(carrot_like_text)
def test_carrot_like_text_compiles_or_raises_a_carrot_syntax_or_name_error(text: str) -> None:
    _compiles_or_reports(text)


@FAST
@given(expressions)
def test_a_printed_expression_parses_back_to_the_same_tree(tree: n.Node) -> None:
    assert parse(to_text(tree)) == tree


@FAST
@given(expressions)
def test_a_printed_expression_parses_back_the_same_as_a_filter(tree: n.Node) -> None:
    assert parse(to_text(tree), filter_mode=True) == tree


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_a_printed_template_parses_back_to_the_same_tree(tree: n.Template) -> None:
    assert parse_template(to_text(tree)) == tree


@FAST
@given(carrot_like_text)
def test_whatever_parses_survives_print_then_parse(text: str) -> None:
    try:
        tree = parse(text, filter_mode=True)
    except (CarrotSyntaxError, CarrotNameError):
        return
    assert parse(to_text(tree)) == tree


@FAST
@given(expressions, records)
def test_evaluation_gives_a_value_or_a_carrot_type_error(
    tree: n.Node, record: dict[str, Any]
) -> None:
    compiled = compile_expression(to_text(tree), clock=clock)
    try:
        result = compiled.evaluate(record)
    except CarrotTypeError as error:
        assert "cannot evaluate" in str(error)
        return
    rendered = render(result)
    assert rendered is None or isinstance(rendered, str)
    assert isinstance(compiled.matches(record), bool)
