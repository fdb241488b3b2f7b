"""Carrot tokens: numbers, strings, quoted dates, names and operators, read on demand.

The lexer is driven by the parser one token at a time, because the text after ``:`` follows its
own rules (bare words, comma alternatives, ``*``) that :mod:`shared.carrot.match_rhs` reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from shared.errors import CarrotSyntaxError

NUM: Final = "number"
STR: Final = "string"
DATE: Final = "date"
IDENT: Final = "name"
OP: Final = "operator"
EOF: Final = "end"

_SPACE: Final = re.compile(r"\s*")
_NUMBER: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPERATOR: Final = re.compile(r"&&|\|\||!=|<=|>=|\?:|[!<>=:?+\-*/%()\[\],.]")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its value (a number, the decoded text, the name or the operator)."""

    kind: str
    value: int | float | str
    start: int
    end: int

    def shown(self, text: str) -> str:
        """The token as an error message names it."""
        if self.kind == EOF:
            return "end of text"
        return repr_text(text[self.start : self.end])


def repr_text(fragment: str) -> str:
    """A fragment of source quoted for a message, shortened when long."""
    if len(fragment) > 24:
        fragment = fragment[:21] + "..."
    if len(fragment) > 1 and fragment[0] == fragment[-1] == "'":
        return fragment  # a quoted date shows its own quotes
    return f"'{fragment}'"


def skip_space(text: str, pos: int, end: int) -> int:
    """The first offset at or after ``pos`` that is not white space."""
    found = _SPACE.match(text, pos, end)
    return found.end() if found else pos


def next_token(text: str, pos: int, end: int) -> Token:
    """The token starting at the first non-space offset at or after ``pos``."""
    pos = skip_space(text, pos, end)
    if pos >= end:
        return Token(EOF, "", end, end)
    char = text[pos]
    if char == '"':
        value, stop = read_string(text, pos, end)
        return Token(STR, value, pos, stop)
    if char == "'":
        value, stop = read_quoted_date(text, pos, end)
        return Token(DATE, value, pos, stop)
    found = _NUMBER.match(text, pos, end)
    if found:
        return _number_token(text, found.group(), pos, found.end(), end)
    found = _IDENT.match(text, pos, end) or OPERATOR.match(text, pos, end)
    if found:
        kind = IDENT if char.isalpha() or char == "_" else OP
        return Token(kind, found.group(), pos, found.end())
    raise CarrotSyntaxError(text, pos + 1, _expected_for(char), repr_text(char))


def _expected_for(char: str) -> str:
    if char == "&":
        return "'&&' (and)"
    if char == "|":
        return "'||' (or)"
    return "a value or an operator"


def _number_token(text: str, raw: str, start: int, stop: int, end: int) -> Token:
    if stop < end and (text[stop].isalnum() or text[stop] == "_"):
        raise CarrotSyntaxError(
            text, stop + 1, "an operator or white space after the number", repr_text(text[stop])
        )
    is_float = any(mark in raw for mark in ".eE")
    try:
        value: int | float = float(raw) if is_float else int(raw)
    except ValueError:  # more digits than Python converts
        raise CarrotSyntaxError(
            text, start + 1, "a number of at most 4300 digits", repr_text(raw)
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise CarrotSyntaxError(text, start + 1, "a finite number", repr_text(raw))
    return Token(NUM, value, start, stop)


def read_string(text: str, start: int, end: int) -> tuple[str, int]:
    """The decoded double-quoted string at ``start`` and the offset after its closing quote."""
    out: list[str] = []
    pos = start + 1
    while pos < end:
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\" and pos + 1 < end:
            out.append(_ESCAPES.get(text[pos + 1], text[pos + 1]))
            pos += 2
            continue
        out.append(char)
        pos += 1
    raise CarrotSyntaxError(
        text, end + 1, f"'\"' to end the string begun in column {start + 1}", "end of text"
    )


def read_quoted_date(text: str, start: int, end: int) -> tuple[str, int]:
    """The raw text between single quotes at ``start`` and the offset after the closing quote."""
    stop = text.find("'", start + 1, end)
    if stop < 0:
        raise CarrotSyntaxError(
            text, end + 1, f'"\'" to end the date begun in column {start + 1}', "end of text"
        )
    return text[start + 1 : stop], stop + 1
