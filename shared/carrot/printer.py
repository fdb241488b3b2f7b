"""The syntax tree back to canonical Carrot text: ``parse(to_text(tree)) == tree``.

Operators get single spaces around them, parentheses appear only where binding requires them,
match alternatives are bare words when they can be, strings use double quotes.
"""

from __future__ import annotations

import re

from shared.carrot import nodes as n
from shared.carrot.match_rhs import BARE_WORD
from shared.carrot.parser import (
    ATOM,
    COMPARE,
    EQUALITY,
    IF,
    INFIX,
    PREFIX,
    TERNARY,
)

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_ENDS_WITH_IS = re.compile(r"(?<![A-Za-z0-9_.])is$", re.IGNORECASE)
_ATOMS = (n.Literal, n.RelativeDate, n.ListLit, n.Path, n.Member, n.Index, n.Call, n.IsFilter)


def to_text(node: n.Tree) -> str:
    """Canonical text for a tree: an expression, a filter or a template."""
    if isinstance(node, n.Template):
        return "".join(_part(part) for part in node.parts)
    return _expr(node)


def quote(text: str) -> str:
    """``text`` as a double-quoted Carrot string."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in text) + '"'


def precedence(node: n.Tree) -> int:
    """How tightly the node's outermost operator binds (ATOM for operands)."""
    if isinstance(node, n.Unary):
        return PREFIX
    if isinstance(node, n.Binary):
        return INFIX[node.op]
    if isinstance(node, n.Match | n.HasValue | n.HasNoValue):
        return EQUALITY
    if isinstance(node, n.Ternary | n.Elvis):
        return TERNARY
    if isinstance(node, n.PostfixIf):
        return IF
    return ATOM


def _wrap(node: n.Tree, min_prec: int) -> str:
    text = _expr(node)
    return f"({text})" if precedence(node) < min_prec else text


def _literal(value: n.LiteralValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int | float):
        return repr(value)
    return f"'{value.isoformat()}'"


def _match_left(node: n.Node) -> str:
    # '!x:' would negate the whole match, text ending in the name 'is' would read as a built-in
    # before ':', and 'x:' before ':' would read as a match on ':': each needs parentheses.
    text = _wrap(node, EQUALITY)
    needs_group = (
        _ends_in_not(node)
        or isinstance(node, n.HasNoValue)
        or _ENDS_WITH_IS.search(text) is not None
    )
    return f"({text})" if needs_group else text


def _ends_in_not(node: n.Node) -> bool:
    """Whether the node's text ends in an unparenthesised ``!operand``.

    A match or comparison written right after it would be read as negated as a whole (as
    ChartHop's ``!department:sales`` is), so such a left side needs parentheses.
    """
    current: n.Node = node
    while True:
        if isinstance(current, n.Unary):
            if current.op == "!":
                return True
            if precedence(current.operand) < PREFIX:
                return False
            current = current.operand
        elif isinstance(current, n.Binary) and precedence(current.right) >= INFIX[current.op] + 1:
            current = current.right
        else:
            return False


def _alternative(text: str) -> str:
    return text if BARE_WORD.fullmatch(text) else quote(text)


def _target(node: n.Node) -> str:
    if isinstance(node, n.ListLit | n.Member | n.Index | n.Call | n.Path):
        return _expr(node)
    return f"({_expr(node)})"


def _expr(node: n.Tree) -> str:
    match node:
        case n.Literal(value=value):
            return _literal(value)
        case n.RelativeDate(spec=spec):
            return f"'{spec}'"
        case n.ListLit(items=items):
            return "[" + ", ".join(_expr(item) for item in items) + "]"
        case n.Path():
            return node.dotted
        case n.Member(target=target, name=name):
            return f"{_target(target)}.{name}"
        case n.Index(target=target, index=index):
            return f"{_target(target)}[{_expr(index)}]"
        case n.Call(name=name, args=args):
            return f"{name}(" + ", ".join(_expr(arg) for arg in args) + ")"
        case n.Unary(op=op, operand=operand):
            return op + _wrap(operand, PREFIX)
        case n.Binary(op=op, left=left, right=right):
            prec = INFIX[op]
            left_text = _wrap(left, prec)
            if prec in (EQUALITY, COMPARE) and _ends_in_not(left):
                left_text = f"({left_text})"  # '!a = b' would negate the whole comparison
            return f"{left_text} {op} {_wrap(right, prec + 1)}"
        case n.Match(left=left, alternatives=alternatives):
            return _match_left(left) + ":" + ",".join(map(_alternative, alternatives))
        case n.HasValue(left=left):
            return _match_left(left) + ":*"
        case n.HasNoValue(left=left):
            return _match_left(left) + ":"
        case n.IsFilter(names=names):
            return "is:" + ",".join(names)
        case n.Ternary(cond=cond, then=then, otherwise=otherwise):
            middle = _expr(then) if isinstance(then, _ATOMS) else f"({_expr(then)})"
            return f"{_wrap(cond, TERNARY + 1)} ? {middle} : {_wrap(otherwise, TERNARY)}"
        case n.Elvis(left=left, right=right):
            return f"{_wrap(left, TERNARY + 1)} ?: {_wrap(right, TERNARY)}"
        case n.PostfixIf(value=value, cond=cond):
            return f"{_wrap(value, IF)} if {_wrap(cond, IF + 1)}"
        case n.Template():
            return to_text(node)
    raise TypeError(f"not an expression node: {node!r}")


def _part(part: n.Text | n.Output | n.IfBlock) -> str:
    if isinstance(part, n.Text):
        return part.text
    if isinstance(part, n.Output):
        return "{{ " + _expr(part.expr) + " }}"
    out = ""
    for number, branch in enumerate(part.branches):
        keyword = "if" if number == 0 else "elsif"
        out += f"{{% {keyword} {_expr(branch.cond)} %}}" + to_text(branch.body)
    if part.otherwise is not None:
        out += "{% else %}" + to_text(part.otherwise)
    return out + "{% endif %}"
