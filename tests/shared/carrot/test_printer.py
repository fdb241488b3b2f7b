"""The printer: canonical text that parses back to the same tree."""

from __future__ import annotations

import pytest

from shared.carrot import nodes as n
from shared.carrot.parser import parse
from shared.carrot.printer import quote, to_text
from shared.carrot.templates import parse_template
from tests.shared.carrot.support import canonical


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("!(a&&b)", "!(a && b)"),
        ("a?b:c?d:e", "a ? b : c ? d : e"),
        ("(a?b:c)?d:e", "(a ? b : c) ? d : e"),
        ("a ? b ?: c : d", "a ? (b ?: c) : d"),
        ("x if y", "x if y"),
        ("(x if y) ?: z", "(x if y) ?: z"),
        ("[1,2.5,'2020-01-01',\"s\",null,true]", "[1, 2.5, '2020-01-01', \"s\", null, true]"),
        ("FORMATDATE(d,'-1d')", "formatDate(d, '-1d')"),
        ("(1).x", "(1).x"),
        ("join(a:x,y, b)", "join(a:x,y, b)"),
    ],
)
def test_canonical_text_spaces_operators_and_keeps_only_needed_parentheses(
    text: str, expected: str
) -> None:
    assert canonical(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'department:engineering,"customer success","*x"',
            'department:engineering,"customer success","*x"',
        ),
        ('title:"vp"', "title:vp"),
        ("title:*", "title:*"),
        ("(title:)", "title:"),
        ("(title:):x", "(title:):x"),
        ("(!a):true", "(!a):true"),
        ("(is):x", "(is):x"),
        ("(1 + IS):x", "(1 + IS):x"),
        ("a.is:x", "a.is:x"),
        ("is:hire,start", "is:hire,start"),
        ("a ? (b:x) : c", "a ? (b:x) : c"),
    ],
)
def test_matches_print_bare_words_when_they_can_and_group_where_binding_needs_it(
    text: str, expected: str
) -> None:
    assert canonical(text) == expected


def test_filter_clauses_joined_by_white_space_print_with_and() -> None:
    assert canonical("is:open daysOpen>90", filter_mode=True) == "is:open && daysOpen > 90"


def test_strings_are_quoted_with_escapes() -> None:
    assert quote('a "b" \\ c\n\t') == '"a \\"b\\" \\\\ c\\n\\t"'


def test_a_template_prints_as_text_outputs_and_tags() -> None:
    text = "Hi {{name.first}}!{%if a%}A{%elsif b%}B{%else%}C{%endif%}"
    printed = to_text(parse_template(text))
    assert printed == "Hi {{ name.first }}!{% if a %}A{% elsif b %}B{% else %}C{% endif %}"
    assert parse_template(printed) == parse_template(text)


def test_a_tree_built_by_hand_prints_to_text_that_parses_back_to_it() -> None:
    tree = n.Binary(
        "&&",
        n.Unary("!", n.Match(n.Path(("title",)), ("vp",))),
        n.Ternary(n.Path(("a",)), n.Elvis(n.Path(("b",)), n.Literal("")), n.Literal(1)),
    )
    assert to_text(tree) == '!(title:vp) && (a ? (b ?: "") : 1)'


def test_a_left_side_ending_in_not_keeps_its_parentheses_before_a_match() -> None:
    # Printed bare, '!' right before ':' or '=' would negate the whole match when read back.
    trees = [
        n.HasValue(n.Binary("+", n.Literal(None), n.Unary("!", n.Literal(None)))),
        n.Binary("=", n.Binary("*", n.Path(("a",)), n.Unary("!", n.Path(("b",)))), n.Literal(1)),
        n.Match(n.Unary("-", n.Unary("!", n.Path(("a",)))), ("x",)),
    ]
    for tree in trees:
        assert parse(to_text(tree)) == tree, to_text(tree)
