"""The parser: literals, paths, what may follow ':', and every level of the precedence table."""

from __future__ import annotations

from datetime import date

import pytest

from shared.carrot import nodes as n
from shared.carrot.parser import parse
from shared.errors import CarrotNameError, CarrotSyntaxError


def same(text: str, grouped: str, *, filter_mode: bool = False) -> bool:
    """Whether ``text`` parses to the same tree as the explicitly parenthesised ``grouped``."""
    return parse(text, filter_mode=filter_mode) == parse(grouped, filter_mode=filter_mode)


# --- literals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (".1", 0.1),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ('"New York"', "New York"),
        ('"say \\"hi\\" \\\\ now\\n"', 'say "hi" \\ now\n'),
        ('""', ""),
        ("TRUE", True),
        ("False", False),
        ("NULL", None),
    ],
)
def test_literals_parse_to_their_values(text: str, expected: n.LiteralValue) -> None:
    assert parse(text) == n.Literal(expected)


def test_an_integer_literal_stays_an_integer_and_a_decimal_a_float() -> None:
    whole, decimal = parse("12"), parse("12.0")
    assert isinstance(whole, n.Literal) and type(whole.value) is int
    assert isinstance(decimal, n.Literal) and type(decimal.value) is float


def test_single_quotes_hold_an_absolute_or_a_relative_date() -> None:
    assert parse("'2020-01-01'") == n.Literal(date(2020, 1, 1))
    assert parse("('2021-01-01')") == n.Literal(date(2021, 1, 1))
    assert parse("'-30d'") == n.RelativeDate("-30d")
    assert parse("'today+1m'") == n.RelativeDate("today+1m")


def test_a_list_literal_holds_any_expressions() -> None:
    assert parse('["a", 1 + 2, []]') == n.ListLit(
        (n.Literal("a"), n.Binary("+", n.Literal(1), n.Literal(2)), n.ListLit(()))
    )


# --- field paths and calls -----------------------------------------------------------------


def test_dotted_names_and_integer_indexes_form_one_path() -> None:
    assert parse("grants[0].shares") == n.Path(("grants", 0, "shares"))
    assert parse("manager.contact.workEmail") == n.Path(("manager", "contact", "workEmail"))


def test_a_path_keeps_the_letter_case_it_was_written_in() -> None:
    assert parse("Name.First") == n.Path(("Name", "First"))


def test_an_index_that_is_not_a_plain_number_is_an_index_node() -> None:
    assert parse("grants[i].shares") == n.Member(
        n.Index(n.Path(("grants",)), n.Path(("i",))), "shares"
    )
    assert parse("tags[-1]") == n.Index(n.Path(("tags",)), n.Unary("-", n.Literal(1)))


def test_member_and_index_apply_to_calls_and_groups() -> None:
    assert parse('split("a,b")[1]') == n.Index(n.Call("split", (n.Literal("a,b"),)), n.Literal(1))
    assert parse("(a).b") == n.Path(("a", "b"))


def test_function_names_are_case_insensitive_and_stored_canonically() -> None:
    assert parse('FORMATDATE(d, "yyyy")') == n.Call(
        "formatDate", (n.Path(("d",)), n.Literal("yyyy"))
    )
    assert parse("today()") == n.Call("today", ())


def test_a_call_needs_its_parenthesis_right_after_the_name() -> None:
    with pytest.raises(CarrotSyntaxError):
        parse("length (x)")


# --- what follows ':' ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "alternatives"),
    [
        ("title:vp", ("vp",)),
        ('title:"Director of Engineering"', ("Director of Engineering",)),
        (
            'department:engineering,sales,"customer success"',
            ("engineering", "sales", "customer success"),
        ),
        ("email:@example.com", ("@example.com",)),
        ("startDate:'2020-01'", ("2020-01",)),
        ("tenure:12", ("12",)),
    ],
)
def test_a_match_reads_bare_words_quoted_text_and_comma_alternatives(
    text: str, alternatives: tuple[str, ...]
) -> None:
    node = parse(text)
    assert isinstance(node, n.Match)
    assert node.alternatives == alternatives


def test_colon_star_is_has_value() -> None:
    assert parse("department:*") == n.HasValue(n.Path(("department",)))


@pytest.mark.parametrize("text", ["department:", "(department:)", "department: ", "[department:]"])
def test_a_colon_followed_by_space_end_or_a_closer_is_has_no_value(text: str) -> None:
    node = parse(text)
    inner = node.items[0] if isinstance(node, n.ListLit) else node
    assert inner == n.HasNoValue(n.Path(("department",)))


def test_a_has_no_value_clause_can_be_followed_by_and_after_a_space() -> None:
    assert parse("department: && title:vp") == n.Binary(
        "&&", n.HasNoValue(n.Path(("department",))), n.Match(n.Path(("title",)), ("vp",))
    )


def test_a_comma_followed_by_a_space_ends_the_alternatives() -> None:
    title = n.Path(("title",))
    assert parse("join(title:vp, 1)") == n.Call("join", (n.Match(title, ("vp",)), n.Literal(1)))
    assert parse("join(title:vp,1)") == n.Call("join", (n.Match(title, ("vp", "1")),))


def test_is_names_built_in_filters_in_lower_case() -> None:
    assert parse("is:manager") == n.IsFilter(("manager",))
    assert parse("IS:Hire,Start") == n.IsFilter(("hire", "start"))


def test_an_unknown_built_in_filter_is_a_name_error() -> None:
    with pytest.raises(CarrotNameError, match=r"is:boss"):
        parse("is:boss")


def test_a_field_named_is_still_works_without_a_colon() -> None:
    assert parse("is = 1") == n.Binary("=", n.Path(("is",)), n.Literal(1))


# --- precedence, tightest first ------------------------------------------------------------


def test_member_and_index_bind_tighter_than_not() -> None:
    assert same("!a.b", "!(a.b)")
    assert same("!a[0]", "!(a[0])")


def test_not_and_negation_bind_tighter_than_multiplication() -> None:
    assert parse("!a * b") == n.Binary("*", n.Unary("!", n.Path(("a",))), n.Path(("b",)))
    assert same("-a * b", "(-a) * b")
    assert not same("-a * b", "-(a * b)")


def test_multiplication_binds_tighter_than_addition() -> None:
    assert same("a + b * c", "a + (b * c)")
    assert same("a * b - c", "(a * b) - c")
    assert same("a + b % c", "a + (b % c)")


def test_multiplicative_and_additive_operators_group_left_to_right() -> None:
    assert same("a / b % c", "(a / b) % c")
    assert same("a - b + c", "(a - b) + c")
    assert not same("a - b + c", "a - (b + c)")


def test_addition_binds_tighter_than_comparison() -> None:
    assert same("a + 1 < b - 1", "(a + 1) < (b - 1)")


def test_comparison_binds_tighter_than_equality_and_match() -> None:
    assert same("a < b = c", "(a < b) = c")
    assert same("a = b >= c", "a = (b >= c)")
    assert same("a > 1:true", "(a > 1):true")


def test_match_and_equality_share_a_level_and_group_left_to_right() -> None:
    assert same("a = b != c", "(a = b) != c")
    assert same("a:x = b", "(a:x) = b")
    assert same("a = b:x", "(a = b):x")


def test_equality_binds_tighter_than_and() -> None:
    assert same("a = 1 && b:x", "(a = 1) && (b:x)")


def test_and_binds_tighter_than_or() -> None:
    assert same("a || b && c", "a || (b && c)")
    assert same("a && b || c", "(a && b) || c")


def test_or_binds_tighter_than_ternary_and_elvis() -> None:
    assert same("a || b ? c : d", "(a || b) ? c : d")
    assert same("a ?: b || c", "a ?: (b || c)")


def test_ternary_and_elvis_group_right_to_left() -> None:
    assert same("a ? b : c ? d : e", "a ? b : (c ? d : e)")
    assert same("a ?: b ?: c", "a ?: (b ?: c)")
    assert same("a ?: b ? c : d", "a ?: (b ? c : d)")


def test_a_ternary_may_nest_in_its_middle() -> None:
    assert same("a ? b ? c : d : e", "a ? (b ? c : d) : e")


def test_postfix_if_binds_loosest() -> None:
    assert same("a ?: b if c || d", "(a ?: b) if (c || d)")
    assert same("a if b if c", "(a if b) if c")


def test_a_colon_inside_a_ternary_middle_needs_parentheses_to_be_a_match() -> None:
    assert parse("a ? (b:x) : c") == n.Ternary(
        n.Path(("a",)), n.Match(n.Path(("b",)), ("x",)), n.Path(("c",))
    )
    assert parse('t < 12 ? "new" : "old"') == n.Ternary(
        n.Binary("<", n.Path(("t",)), n.Literal(12)), n.Literal("new"), n.Literal("old")
    )


def test_not_directly_before_a_match_negates_the_whole_match() -> None:
    negated = n.Unary("!", n.Match(n.Path(("title",)), ("vp",)))
    assert parse("!title:vp") == negated
    assert parse("!(title:vp)") == negated
    assert parse("!title:vp,director") == n.Unary(
        "!", n.Match(n.Path(("title",)), ("vp", "director"))
    )
    assert parse('!title="x"') == n.Unary("!", n.Binary("=", n.Path(("title",)), n.Literal("x")))
    assert parse("!tenure>=12") == n.Unary("!", n.Binary(">=", n.Path(("tenure",)), n.Literal(12)))
    assert parse("(!active):true") == n.Match(n.Unary("!", n.Path(("active",))), ("true",))


def test_not_before_anything_but_a_match_keeps_its_precedence() -> None:
    assert parse("!a && b") == n.Binary("&&", n.Unary("!", n.Path(("a",))), n.Path(("b",)))
    assert parse("!a + 1") == n.Binary("+", n.Unary("!", n.Path(("a",))), n.Literal(1))
    assert parse("x ? !a : b") == n.Ternary(
        n.Path(("x",)), n.Unary("!", n.Path(("a",))), n.Path(("b",))
    )


def test_not_before_a_built_in_negates_the_built_in() -> None:
    assert parse("!is:manager") == n.Unary("!", n.IsFilter(("manager",)))


# --- white space as AND --------------------------------------------------------------------


def test_white_space_between_filter_clauses_binds_like_and() -> None:
    assert same("a b || c", "(a && b) || c", filter_mode=True)
    assert same("a || b c", "a || (b && c)", filter_mode=True)
    assert same("is:open daysOpen>90", "is:open && daysOpen > 90", filter_mode=True)


def test_white_space_joins_clauses_inside_parentheses_of_a_filter() -> None:
    assert same("(a b) || c", "(a && b) || c", filter_mode=True)
    assert same("title:vp !is:manager", "title:vp && !is:manager", filter_mode=True)


def test_white_space_does_not_join_clauses_in_an_expression_or_a_call() -> None:
    with pytest.raises(CarrotSyntaxError):
        parse("a b")
    with pytest.raises(CarrotSyntaxError):
        parse("length(a b)", filter_mode=True)


# --- spans and limits ----------------------------------------------------------------------


def test_nodes_record_where_their_text_is() -> None:
    node = parse("  title:vp && x")
    assert isinstance(node, n.Binary)
    assert node.left.span == (2, 10)
    assert node.span == (2, 15)


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(CarrotSyntaxError, match="levels of nesting"):
        parse("(" * 300 + "a" + ")" * 300)
    with pytest.raises(CarrotSyntaxError, match="levels of nesting"):
        parse("!" * 500 + "a")
    with pytest.raises(CarrotSyntaxError, match="levels of operators"):
        parse(" + ".join(["a"] * 400))
