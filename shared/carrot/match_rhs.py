"""The text after ``:``, which follows its own rules.

``title:director`` (one bare word), ``title:"Director of Engineering"`` (quoted),
``department:engineering,sales,"customer success"`` (any of these; no space after a comma, as a
comma followed by white space, ``(`` or ``[`` separates arguments or list items instead),
``department:*`` (has a value), ``department:`` then white space, end of text, ``)``, ``]`` or
``,`` (has no value; ``department:&&`` is an error, as ChartHop's own example shows).

A bare word runs until white space or one of ``, ( ) " ' & | ! = < > { } [ ] ? : * %``;
anything else needs double quotes. ``is:manager`` names built-in filters the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.carrot.lexer import OPERATOR, read_quoted_date, read_string, repr_text
from shared.errors import CarrotSyntaxError

BARE_WORD: Final = re.compile(r"[^\s,()\"'&|!=<>{}\[\]?:*%]+")
_NO_VALUE_FOLLOWERS: Final = ")],"
ANY: Final = "any"
NONE: Final = "none"
TEXT: Final = "text"


@dataclass(frozen=True, slots=True)
class MatchRhs:
    """What followed ``:``: its kind (any, none or text), the alternatives, and where it ends."""

    kind: str
    alternatives: tuple[str, ...]
    end: int


def shown_at(text: str, pos: int, end: int) -> str:
    """What an error message says was found at ``pos``."""
    if pos >= end:
        return "end of text"
    found = OPERATOR.match(text, pos, end) or BARE_WORD.match(text, pos, end)
    return repr_text(found.group() if found else text[pos])


def scan_match_rhs(text: str, pos: int, end: int) -> MatchRhs:
    """Read what follows the ``:`` that ends just before ``pos``."""
    if pos >= end or text[pos].isspace() or text[pos] in _NO_VALUE_FOLLOWERS:
        return MatchRhs(NONE, (), pos)
    if text[pos] == "*":
        after = pos + 1
        if after < end and BARE_WORD.match(text, after, end):
            raise CarrotSyntaxError(
                text, after + 1, "white space or an operator after ':*'", shown_at(text, after, end)
            )
        return MatchRhs(ANY, (), after)
    alternatives: list[str] = []
    after_what = "':'"
    while True:
        value, pos = _alternative(text, pos, end, after_what)
        alternatives.append(value)
        if not _continues(text, pos, end):
            return MatchRhs(TEXT, tuple(alternatives), pos)
        pos += 1
        after_what = "','"


def _continues(text: str, pos: int, end: int) -> bool:
    """Whether a comma at ``pos`` starts another alternative (it is not followed by a space).

    A comma followed by white space, ``(`` or ``[`` separates arguments or list items instead.
    """
    if pos >= end or text[pos] != ",":
        return False
    if pos + 1 >= end:
        return True  # a trailing comma: reading on reports the missing alternative
    following = text[pos + 1]
    return not following.isspace() and following not in "(["


def _alternative(text: str, pos: int, end: int, after_what: str) -> tuple[str, int]:
    char = text[pos] if pos < end else ""
    if char == '"':
        return read_string(text, pos, end)
    if char == "'":
        return read_quoted_date(text, pos, end)
    found = BARE_WORD.match(text, pos, end)
    if found is None:
        raise CarrotSyntaxError(
            text, pos + 1, f"a value after {after_what}", shown_at(text, pos, end)
        )
    return found.group(), found.end()


def scan_names(text: str, pos: int, end: int) -> tuple[list[tuple[str, int]], int]:
    """The comma-separated bare words after ``is:`` with their offsets, and where they end."""
    names: list[tuple[str, int]] = []
    while True:
        found = BARE_WORD.match(text, pos, end)
        if found is None:
            raise CarrotSyntaxError(
                text, pos + 1, "a built-in filter name after 'is:'", shown_at(text, pos, end)
            )
        names.append((found.group(), pos))
        pos = found.end()
        if pos + 1 < end and text[pos] == "," and BARE_WORD.match(text, pos + 1, end):
            pos += 1
            continue
        return names, pos
