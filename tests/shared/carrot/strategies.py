"""Hypothesis strategies for Carrot: syntax trees the parser can produce, text, and records."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from shared.carrot import nodes as n
from shared.carrot.is_filters import IS_FILTERS

KEYWORDS = {"true", "false", "null", "if"}
FIELDS = ["a", "b", "title", "tags", "startDate", "Name", "is", "directs"]

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
first_names = st.one_of(st.sampled_from(FIELDS), identifiers).filter(
    lambda name: name.lower() not in KEYWORDS
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
)
literals = st.one_of(
    numbers,
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
).map(n.Literal)
relative_specs = st.builds(
    lambda anchor, offsets: anchor + "".join(offsets) or "today",
    st.sampled_from(["", "today", "yearStart", "monthEnd", "weekStart", "QUARTERSTART"]),
    st.lists(
        st.builds(
            lambda sign, size, unit: f"{sign}{size}{unit}",
            st.sampled_from("+-"),
            st.integers(0, 400),
            st.sampled_from("dwmqyD"),
        ),
        max_size=3,
    ),
)
paths = st.builds(
    lambda first, rest: n.Path((first, *rest)),
    first_names,
    st.lists(st.one_of(identifiers, st.integers(0, 20)), max_size=3),
)
leaves = st.one_of(
    literals,
    relative_specs.map(n.RelativeDate),
    paths,
    st.lists(st.sampled_from(sorted(IS_FILTERS)), min_size=1, max_size=3).map(
        lambda names: n.IsFilter(tuple(names))
    ),
    st.just(n.Call("today", ())),
)
_ARITY = {
    "length": (1, 1),
    "string": (1, 1),
    "number": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "trim": (1, 1),
    "split": (1, 2),
    "join": (1, 2),
    "subString": (2, 3),
    "replace": (3, 3),
}
_BINARY = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "=", "!=", "&&", "||"]


def _calls(children: st.SearchStrategy[n.Node]) -> st.SearchStrategy[n.Node]:
    return st.sampled_from(sorted(_ARITY)).flatmap(
        lambda name: st.lists(children, min_size=_ARITY[name][0], max_size=_ARITY[name][1]).map(
            lambda args: n.Call(name, tuple(args))
        )
    )


def _not_a_path(node: n.Node) -> bool:
    return not isinstance(node, n.Path)


def _indexable(target: n.Node, index: n.Node) -> bool:
    """The parser folds ``path[number]`` into the path, so such an Index never appears."""
    plain = isinstance(index, n.Literal) and type(index.value) is int
    return not (isinstance(target, n.Path) and plain)


def _extend(children: st.SearchStrategy[n.Node]) -> st.SearchStrategy[n.Node]:
    return st.one_of(
        st.lists(children, max_size=3).map(lambda items: n.ListLit(tuple(items))),
        st.builds(n.Unary, st.sampled_from("!-"), children),
        st.builds(n.Binary, st.sampled_from(_BINARY), children, children),
        st.builds(
            n.Match, children, st.lists(st.text(max_size=6), min_size=1, max_size=3).map(tuple)
        ),
        st.builds(n.HasValue, children),
        st.builds(n.HasNoValue, children),
        st.builds(n.Ternary, children, children, children),
        st.builds(n.Elvis, children, children),
        st.builds(n.PostfixIf, children, children),
        st.builds(n.Member, children.filter(_not_a_path), identifiers),
        st.tuples(children, children)
        .filter(lambda pair: _indexable(*pair))
        .map(lambda pair: n.Index(*pair)),
        _calls(children),
    )


expressions: st.SearchStrategy[n.Node] = st.recursive(leaves, _extend, max_leaves=12)

template_texts = st.text(st.characters(blacklist_characters="{"), min_size=1, max_size=8)


def _templates(depth: int) -> st.SearchStrategy[n.Template]:
    tags: list[st.SearchStrategy[Any]] = [expressions.map(n.Output)]
    if depth < 2:
        body = _templates(depth + 1)
        tags.append(
            st.builds(
                n.IfBlock,
                st.lists(st.builds(n.Branch, expressions, body), min_size=1, max_size=3).map(tuple),
                st.one_of(st.none(), body),
            )
        )
    tag = st.one_of(*tags)
    return st.lists(st.tuples(st.one_of(st.none(), template_texts), tag), max_size=3).flatmap(
        lambda pairs: st.one_of(st.none(), template_texts).map(
            lambda tail: n.Template(_join_parts(pairs, tail))
        )
    )


def _join_parts(pairs: list[tuple[str | None, Any]], tail: str | None) -> tuple[Any, ...]:
    parts: list[Any] = []
    for text, tag in pairs:
        if text is not None:
            parts.append(n.Text(text))
        parts.append(tag)
    if tail is not None:
        parts.append(n.Text(tail))
    return tuple(parts)


templates = _templates(0)

FRAGMENTS = [
    "a",
    "b.c",
    "x[0]",
    " ",
    "  ",
    ":",
    ":*",
    ",",
    '"q"',
    '"',
    "'2020-01-01'",
    "'-30d'",
    "'",
    "(",
    ")",
    "[",
    "]",
    "&&",
    "||",
    "!",
    "!=",
    "=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "?",
    "?:",
    ".",
    "1",
    ".5",
    "1e3",
    "true",
    "null",
    "if",
    "is:",
    "is:manager",
    "manager",
    "date(",
    "length(",
    "today()",
    "nosuch(",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% if ",
    "{% endif %}",
    "{% else %}",
    "\\",
]
carrot_like_text = st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join)

scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.text(max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat),
)
record_values = st.recursive(
    scalar_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)
    ),
    max_leaves=6,
)
records = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.sampled_from(["Name.first", "a.b", "title.x"])),
    record_values,
    max_size=6,
)
