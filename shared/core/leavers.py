"""Who has left, and from when hopsync acts on it: the rules of settings.leavers. Pure.

A person is a leaver when their end date (``endDateOrg``, else ``endDate``) has passed, or when
they are no longer among ChartHop's active people (and have an end date: a record that never had
a job is not a leaver, it is left alone). hopsync acts from ``time_of_day`` in the configured time
zone on the day ``after_days`` after the day that follows the end date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.settings import LeaversConfig
from shared.carrot.dates import to_date
from shared.core.models import LifecycleRecord
from shared.records import get_path


@dataclass(frozen=True)
class Departure:
    """A leaver: the rule that selected them, their end date and when hopsync acts."""

    rule: str
    end: date
    due_at: datetime

    def due(self, now: datetime) -> bool:
        """Whether hopsync acts on it now."""
        return now >= self.due_at

    def waiting(self) -> str:
        """Why nothing happens yet, for a deferred outcome."""
        return f"{self.rule}; acted on from {self.due_at.strftime('%Y-%m-%d %H:%M %Z')}"


def end_date(person: Mapping[str, Any]) -> date | None:
    """The person's end date: endDateOrg, else endDate; None when neither is a date."""
    return first_date(person, ("endDateOrg", "endDate"))


def first_date(person: Mapping[str, Any], paths: Sequence[str]) -> date | None:
    """The date at the first of ``paths`` that holds one (a date, or text starting YYYY-MM-DD)."""
    for path in paths:
        value = to_date(get_path(person, path))
        if value is not None:
            return value
    return None


def departure(
    person: Mapping[str, Any],
    *,
    departed: bool,
    leavers: LeaversConfig,
    timezone: str,
    today: date,
) -> Departure | None:
    """The person's departure when they are a leaver, else None (still working, or no end)."""
    end = end_date(person)
    if end is None:
        return None
    if departed:
        rule = f"no longer among ChartHop's active people (end date {end.isoformat()})"
    elif end < today:
        rule = f"end date {end.isoformat()} has passed"
    else:
        return None
    day = end + timedelta(days=1 + leavers.after_days)
    hour, minute = (int(part) for part in leavers.time_of_day.split(":"))
    due_at = datetime.combine(day, time(hour, minute), ZoneInfo(timezone))
    return Departure(rule=rule, end=end, due_at=due_at)


def reversed_by_admin(record: LifecycleRecord | None, status: str, leaving: Departure) -> bool:
    """Whether an Okta admin undid, for this very departure, what hopsync did to the user."""
    if record is None or record.end_date != leaving.end:
        return False
    if record.action == "deactivated":
        return status != "DEPROVISIONED"
    return status not in ("SUSPENDED", "DEPROVISIONED")


def record_matters(person: Mapping[str, Any] | None, status: str) -> bool:
    """Whether what hopsync did to a user's status can change the person's plan: only for a
    person with an end date (a leaver, or one soon) or a suspended or deactivated user (a
    rehire). Otherwise the worker need not read the record (one Redis round trip less)."""
    return person is None or end_date(person) is not None or status in _BROUGHT_BACK


_BROUGHT_BACK = frozenset({"SUSPENDED", "DEPROVISIONED"})


def rehire_operation(record: LifecycleRecord | None, status: str) -> str | None:
    """The lifecycle call that brings back a user hopsync suspended or deactivated, or None."""
    if record is None:
        return None
    if record.action == "suspended" and status == "SUSPENDED":
        return "unsuspend"
    if record.action == "deactivated" and status == "DEPROVISIONED":
        return "activate"
    return None
