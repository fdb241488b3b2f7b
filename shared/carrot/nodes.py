"""The Carrot syntax tree: immutable nodes that the parser builds and the compiler and printer read.

Every node carries ``span``, the (start, end) offsets of its text, for error messages; spans are
left out of equality so that a tree printed and parsed again compares equal to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

Span = tuple[int, int]
LiteralValue = int | float | str | bool | date | None
Segment = str | int


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean, null or absolute date written in the text."""

    value: LiteralValue
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RelativeDate:
    """A quoted relative date such as ``'-30d'`` or ``'today+1m'``, resolved on evaluation."""

    spec: str
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListLit:
    """A list written as ``[a, b, c]``."""

    items: tuple[Node, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Path:
    """A field reference: names and list indexes, as in ``grants[0].shares``."""

    segments: tuple[Segment, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)

    @property
    def dotted(self) -> str:
        """The path as written: ``name.first``, ``grants[0].shares``."""
        out = ""
        for segment in self.segments:
            if isinstance(segment, int):
                out += f"[{segment}]"
            else:
                out += f".{segment}" if out else segment
        return out


@dataclass(frozen=True, slots=True)
class Member:
    """``target.name`` where the target is not a plain field path (a call, a list, a group)."""

    target: Node
    name: str
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``target[index]`` where the index is not a plain number on a field path."""

    target: Node
    index: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``name`` is the function's canonical spelling."""

    name: str
    args: tuple[Node, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """Prefix ``!`` (not) or ``-`` (negate)."""

    op: str
    operand: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """An infix operator: arithmetic, comparison, ``=``/``!=``, ``&&`` or ``||``."""

    op: str
    left: Node
    right: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Match:
    """``left:alt1,alt2``: partial, case-insensitive match against any alternative."""

    left: Node
    alternatives: tuple[str, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class HasValue:
    """``left:*``: the value is set (not null, not empty)."""

    left: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class HasNoValue:
    """``left:`` followed by white space, end of text, ``)``, ``]`` or ``,``: the value is unset."""

    left: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IsFilter:
    """``is:manager`` (or ``is:hire,start``): a built-in filter; names are lower case."""

    names: tuple[str, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ternary:
    """``cond ? then : otherwise``."""

    cond: Node
    then: Node
    otherwise: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Elvis:
    """``left ?: right``: left unless it is null or empty."""

    left: Node
    right: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PostfixIf:
    """``value if cond``: the value when the condition holds, else null."""

    value: Node
    cond: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text of a template."""

    text: str
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Output:
    """``{{ expr }}`` in a template."""

    expr: Node
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Branch:
    """One ``{% if %}`` or ``{% elsif %}`` arm: its condition and its body."""

    cond: Node
    body: Template
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IfBlock:
    """``{% if %}...{% elsif %}...{% else %}...{% endif %}``."""

    branches: tuple[Branch, ...]
    otherwise: Template | None
    span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Template:
    """A template: text, outputs and if-blocks in order."""

    parts: tuple[Text | Output | IfBlock, ...]
    span: Span = field(default=(0, 0), compare=False, repr=False)


Node = (
    Literal
    | RelativeDate
    | ListLit
    | Path
    | Member
    | Index
    | Call
    | Unary
    | Binary
    | Match
    | HasValue
    | HasNoValue
    | IsFilter
    | Ternary
    | Elvis
    | PostfixIf
    | Template
)


Tree = Node | Text | Output | IfBlock | Branch
"""Anything in a syntax tree, template pieces included."""


def children(node: Tree) -> tuple[Tree, ...]:
    """The nodes directly below ``node``."""
    match node:
        case ListLit(items=items):
            return items
        case Member(target=target):
            return (target,)
        case Index(target=target, index=index):
            return (target, index)
        case Call(args=args):
            return args
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right) | Elvis(left=left, right=right):
            return (left, right)
        case Match(left=left) | HasValue(left=left) | HasNoValue(left=left):
            return (left,)
        case Ternary(cond=cond, then=then, otherwise=otherwise):
            return (cond, then, otherwise)
        case PostfixIf(value=value, cond=cond):
            return (value, cond)
        case Template(parts=parts):
            return parts
        case Output(expr=expr):
            return (expr,)
        case Branch(cond=cond, body=body):
            return (cond, body)
        case IfBlock(branches=branches, otherwise=otherwise):
            return branches if otherwise is None else (*branches, otherwise)
    return ()


def deepest(node: Tree) -> tuple[int, Tree]:
    """The depth below ``node`` (1 for a leaf) and its deepest node, found without recursion."""
    best: tuple[int, Tree] = (1, node)
    stack: list[tuple[int, Tree]] = [(1, node)]
    while stack:
        depth, current = stack.pop()
        if depth > best[0]:
            best = (depth, current)
        stack.extend((depth + 1, child) for child in children(current))
    return best


def walk(node: Tree) -> list[Tree]:
    """Every node of the tree, ``node`` first, without recursion."""
    out: list[Tree] = []
    stack: list[Tree] = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out
