"""Pure listing logic of the fake ChartHop: a simple ``q`` filter, cursors, field projection."""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from shared.records import flatten, get_path

Predicate = Callable[[Mapping[str, Any]], bool]

_CLAUSE: Final = re.compile(r"^(?P<path>[A-Za-z_][\w.\[\]]*)(?P<op>!=|:|=)(?P<value>.*)$")
_CURSOR_PREFIX: Final = "offset:"


def simple_filter(q: str) -> Predicate:
    """A predicate for ``q`` made of white-space separated clauses, all of which must hold.

    ``path:value`` is a case-insensitive substring match (``a,b`` any of them, ``*`` any value,
    nothing: no value); ``path=value`` and ``path!=value`` compare whole values, case-insensitively.
    Raises ValueError, naming the clause, when ``q`` has another shape.
    """
    try:
        clauses = shlex.split(q)
    except ValueError as exc:
        raise ValueError(f"cannot split q {q!r} into clauses: {exc}") from None
    tests = [_clause(text) for text in clauses]
    return lambda person: all(test(person) for test in tests)


def _clause(text: str) -> Predicate:
    match = _CLAUSE.match(text)
    if match is None:
        raise ValueError(f"q clause {text!r} is not path:value, path=value or path!=value")
    path, op, wanted = match["path"], match["op"], match["value"].lower()
    if op == ":":
        options = [option.strip() for option in wanted.split(",")]
        return lambda person: _contains(get_path(person, path), options)
    if op == "=":
        return lambda person: _text(get_path(person, path)) == wanted
    return lambda person: _text(get_path(person, path)) != wanted


def _contains(value: Any, options: Sequence[str]) -> bool:
    text = _text(value)
    if options == [""]:
        return text == ""
    if options == ["*"]:
        return text != ""
    return any(option in text for option in options)


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower()


def encode_cursor(offset: int) -> str:
    """An opaque ``next`` cursor for the row at ``offset``."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor stands for; ValueError when it was not made by ``encode_cursor``."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith(_CURSOR_PREFIX) or not text[len(_CURSOR_PREFIX) :].isdigit():
        raise ValueError(f"cursor {cursor!r} was not given by this server; start without 'from'")
    return int(text[len(_CURSOR_PREFIX) :])


def parse_fields(text: str | None) -> list[str] | None:
    """The field names of a ``fields=a,b.c`` parameter, or None when absent or empty."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    return names or None


def project(person: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A flat row with dotted keys holding only ``fields`` (and everything under them) plus id."""
    prefixes = tuple(f"{name}." for name in fields)
    wanted = set(fields) | {"id"}
    return {
        key: value
        for key, value in flatten(person).items()
        if key in wanted or key.startswith(prefixes)
    }
