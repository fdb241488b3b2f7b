"""The ``is:`` built-in filters and the record fields each reads.

=========  ===========================================================================
filter     true when
=========  ===========================================================================
person     ``personId``, ``name.first`` or ``name.last`` has a value (the row names a person)
open       none of those has a value (an open job, as in ``is:open daysOpen>90``)
manager    ``directReports`` or ``directs`` is a number above 0, a numeric string above 0,
           or a non-empty list or object (the person has direct reports)
ic         not a manager (an individual contributor)
hire       the start date is after today (a hire who has not started yet)
start      the start date is today or earlier and the person has not departed
depart     the end date is today or earlier (the person has left)
=========  ===========================================================================

The start date is ``startDateOrg``, else ``startDate``; the end date is ``endDateOrg``, else
``endDate``; each may be a date or a ``YYYY-MM-DD`` string. "Today" is the compile call's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from shared.carrot.dates import to_date
from shared.carrot.nodes import Path
from shared.carrot.paths import Getter, Record, path_getter
from shared.carrot.values import is_blank, to_number

Predicate = Callable[[Record], bool]
Clock = Callable[[], date]

_PERSON_FIELDS: Final = ("personId", "name.first", "name.last")
_MANAGER_FIELDS: Final = ("directReports", "directs")
_START_FIELDS: Final = ("startDateOrg", "startDate")
_END_FIELDS: Final = ("endDateOrg", "endDate")


def _getters(fields: tuple[str, ...]) -> tuple[Getter, ...]:
    return tuple(path_getter(Path(tuple(name.split("."))), exact=True) for name in fields)


def _first_date(getters: tuple[Getter, ...], record: Record) -> date | None:
    for get in getters:
        found = to_date(get(record))
        if found is not None:
            return found
    return None


def _has_reports(value: Any) -> bool:
    if type(value) is int:
        return value > 0
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    number = to_number(value)
    return number is not None and number > 0


def _person(_clock: Clock) -> Predicate:
    getters = _getters(_PERSON_FIELDS)
    return lambda record: any(not is_blank(get(record)) for get in getters)


def _open(clock: Clock) -> Predicate:
    person = _person(clock)
    return lambda record: not person(record)


def _manager(_clock: Clock) -> Predicate:
    first, second = _getters(_MANAGER_FIELDS)
    return lambda record: _has_reports(first(record)) or _has_reports(second(record))


def _ic(clock: Clock) -> Predicate:
    manager = _manager(clock)
    return lambda record: not manager(record)


def _hire(clock: Clock) -> Predicate:
    getters = _getters(_START_FIELDS)

    def hire(record: Record) -> bool:
        start = _first_date(getters, record)
        return start is not None and start > clock()

    return hire


def _depart(clock: Clock) -> Predicate:
    getters = _getters(_END_FIELDS)

    def depart(record: Record) -> bool:
        end = _first_date(getters, record)
        return end is not None and end <= clock()

    return depart


def _start(clock: Clock) -> Predicate:
    getters = _getters(_START_FIELDS)
    departed = _depart(clock)

    def start(record: Record) -> bool:
        began = _first_date(getters, record)
        return began is not None and began <= clock() and not departed(record)

    return start


@dataclass(frozen=True, slots=True)
class IsSpec:
    """One built-in filter: the fields it reads and how to build its predicate."""

    name: str
    fields: tuple[str, ...]
    build: Callable[[Clock], Predicate]


IS_FILTERS: Final[Mapping[str, IsSpec]] = {
    spec.name: spec
    for spec in (
        IsSpec("person", _PERSON_FIELDS, _person),
        IsSpec("open", _PERSON_FIELDS, _open),
        IsSpec("manager", _MANAGER_FIELDS, _manager),
        IsSpec("ic", _MANAGER_FIELDS, _ic),
        IsSpec("hire", _START_FIELDS, _hire),
        IsSpec("start", _START_FIELDS + _END_FIELDS, _start),
        IsSpec("depart", _END_FIELDS, _depart),
    )
}
"""Every ``is:`` filter by its lower-case name."""
