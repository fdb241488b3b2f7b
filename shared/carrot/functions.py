"""Carrot functions. Names are case-insensitive; a call to any other name fails at compile time.

==========================================  ======  ==============================================
signature                                   gives   behaviour
==========================================  ======  ==============================================
``length(x)``                               number  characters of a string, items of a list, keys
                                                    of an object; other values: their text; null 0
``date(x)``                                 date    a date; ``"YYYY-MM-DD"`` (or an ISO timestamp);
                                                    a relative date (``"+1m"``, ``"-30d"``,
                                                    ``"today+1m"``, ``"yearStart+2q"``) from today;
                                                    null or "" gives null
``date(x, base)``                           date    as ``date(x)``, relative dates from ``base``:
                                                    ``date("-30d", "2025-01-31")`` is 2025-01-01
``today()``                                 date    today, by the compile call's clock
``formatDate(d)``                           string  ``d`` (a date or date-like string) as
                                                    YYYY-MM-DD; null gives null
``formatDate(d, pattern)``                  string  ``d`` in a Java-style pattern such as
                                                    ``"MMMM d, yyyy"`` (see patterns.py)
``string(x)``                               string  ``x`` rendered as text; null gives ""
``number(x)``                               number  numbers as they are, numeric strings parsed,
                                                    true/false as 1/0; null or "" gives null
``subString(s, start)``                     string  from the 0-based ``start`` to the end
``subString(s, start, end)``                string  ``start`` up to, not including, ``end``;
                                                    positions are clamped to the text; null: null
``split(s)`` / ``split(s, sep)``            list    the text cut at ``sep`` (default ","), each
                                                    part trimmed; null gives []
``lower(x)`` / ``upper(x)``                 string  the text in lower / upper case; null: null
``trim(x)``                                 string  the text without surrounding white space
``join(list)`` / ``join(list, sep)``        string  items rendered and joined with ``sep``
                                                    (default ", "), nulls left out; null: null
``replace(s, old, new)``                    string  every ``old`` in the text replaced by ``new``
``okta(person, attribute)``                 string  an attribute of the Okta user of the ChartHop
                                                    person ``person`` refers to (``manager``):
                                                    ``"id"`` gives the Okta user id, ``"login"``
                                                    or any profile attribute its value; looked up
                                                    by the sync (the record's OKTA_LOOKUP); null
                                                    when they have no Okta user or outside a sync
==========================================  ======  ==============================================

Implementations raise ValueError for values they cannot use; the compiler turns that into
CarrotTypeError naming the call's text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from shared.carrot.dates import is_relative, resolve_relative, to_date
from shared.carrot.patterns import SUPPORTED, compile_pattern, format_date
from shared.carrot.values import describe, text_of, to_number

Check = Callable[[str], str | None]
"""A compile-time check of a literal string argument: None when fine, else what was expected."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function: its canonical name, how many arguments it takes, and its implementation."""

    name: str
    min_args: int
    max_args: int
    impl: Callable[..., Any]
    needs_clock: bool = False
    needs_record: bool = False  # the implementation is called with the record first
    checks: Mapping[int, Check] = field(default_factory=dict)

    @property
    def arity(self) -> str:
        """The accepted argument count, for messages."""
        if self.min_args == self.max_args:
            count = self.min_args
            return f"{count} argument{'' if count == 1 else 's'}"
        return f"{self.min_args} to {self.max_args} arguments"


def _length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    return len(text_of(value))


_NO_BASE: Final = object()


def _date(clock: Callable[[], date], value: Any, base: Any = _NO_BASE) -> date | None:
    if value is None or value == "":
        return None
    found = to_date(value)
    if found is not None:
        return found
    if isinstance(value, str) and is_relative(value):
        start = clock() if base is _NO_BASE else to_date(base)
        if start is None:
            if base is None or base == "":
                return None
            raise ValueError(f"the base date {describe(base)} is not a date")
        return resolve_relative(value, start)
    raise ValueError(
        f"{describe(value)} is not a date; write YYYY-MM-DD or a relative date such as "
        "'-30d', 'today+1m' or 'yearStart+2q'"
    )


def _today(clock: Callable[[], date]) -> date:
    return clock()


def _format_date(value: Any, pattern: Any = "yyyy-MM-dd") -> str | None:
    if value is None or value == "":
        return None
    day = to_date(value)
    if day is None:
        raise ValueError(f"formatDate needs a date, got {describe(value)}")
    if not isinstance(pattern, str):
        raise ValueError(f"formatDate needs a text pattern, got {describe(pattern)}")
    return format_date(day, pattern)


def _number(value: Any) -> int | float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    found = to_number(value)
    if found is None:
        raise ValueError(f"{describe(value)} is not a number")
    return found


def _position(value: Any, what: str) -> int:
    found = to_number(value)
    if found is None:
        raise ValueError(f"subString needs a number for {what}, got {describe(value)}")
    return int(found)


def _substring(value: Any, start: Any, end: Any = None) -> str | None:
    if value is None:
        return None
    text = text_of(value)
    begin = min(max(_position(start, "start"), 0), len(text))
    if end is None:
        return text[begin:]
    return text[begin : max(_position(end, "end"), begin)]


def _split(value: Any, separator: Any = ",") -> list[str]:
    if value is None:
        return []
    if not isinstance(separator, str) or not separator:
        raise ValueError(f"split needs a non-empty text separator, got {describe(separator)}")
    return [part.strip() for part in text_of(value).split(separator)]


def _lower(value: Any) -> str | None:
    return None if value is None else text_of(value).lower()


def _upper(value: Any) -> str | None:
    return None if value is None else text_of(value).upper()


def _trim(value: Any) -> str | None:
    return None if value is None else text_of(value).strip()


def _join(value: Any, separator: Any = ", ") -> str | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        return text_of(value)
    return text_of(separator).join(text_of(item) for item in value if item is not None)


def _replace(value: Any, old: Any, new: Any) -> str | None:
    if value is None:
        return None
    target = text_of(old)
    if not target:
        raise ValueError("replace needs a non-empty text to replace")
    return text_of(value).replace(target, text_of(new))


OKTA_LOOKUP: Final = "$okta"
"""The record key under which a sync puts its ``(person reference, attribute) -> value`` lookup."""


def _okta(record: Mapping[str, Any], person: Any, attribute: Any) -> Any:
    lookup = record.get(OKTA_LOOKUP) if isinstance(record, Mapping) else None
    if person is None or not callable(lookup):
        return None
    return lookup(person, text_of(attribute))


def _check_attribute(text: str) -> str | None:
    return None if text.strip() else 'an Okta attribute name such as "id" or "login"'


def _check_date(text: str) -> str | None:
    if to_date(text) is not None or is_relative(text) or text == "":
        return None
    return "a date YYYY-MM-DD or a relative date such as '-30d' or 'today+1m'"


def _check_base(text: str) -> str | None:
    return None if to_date(text) is not None else "a base date YYYY-MM-DD"


def _check_pattern(text: str) -> str | None:
    try:
        compile_pattern(text)
    except ValueError:
        return f"a date pattern using {SUPPORTED}"
    return None


_SPECS: Final = (
    FunctionSpec("length", 1, 1, _length),
    FunctionSpec("date", 1, 2, _date, needs_clock=True, checks={0: _check_date, 1: _check_base}),
    FunctionSpec("today", 0, 0, _today, needs_clock=True),
    FunctionSpec("formatDate", 1, 2, _format_date, checks={1: _check_pattern}),
    FunctionSpec("string", 1, 1, text_of),
    FunctionSpec("number", 1, 1, _number),
    FunctionSpec("subString", 2, 3, _substring),
    FunctionSpec("split", 1, 2, _split),
    FunctionSpec("lower", 1, 1, _lower),
    FunctionSpec("upper", 1, 1, _upper),
    FunctionSpec("trim", 1, 1, _trim),
    FunctionSpec("join", 1, 2, _join),
    FunctionSpec("replace", 3, 3, _replace),
    FunctionSpec("okta", 2, 2, _okta, needs_record=True, checks={1: _check_attribute}),
)
FUNCTIONS: Final[Mapping[str, FunctionSpec]] = {spec.name.lower(): spec for spec in _SPECS}
"""Every function by its lower-case name."""
