"""When the scheduler's daily jobs are due: pure, DST-correct arithmetic on a wall-clock time.

A job runs at most once per local date of the configured zone (so moving daily_at, or a restart,
never runs a day twice), and the rules are stated per day:

- the day's scheduled instant is ``daily_at`` on that date in the zone (zoneinfo applies the
  offset in force that day, so 03:00 New York is 08:00 UTC in winter and 07:00 UTC in summer);
- on the spring-forward day a time inside the skipped hour (02:30 in New York) happens as far
  past the jump as it would have been (03:30 EDT), which is how Python reads a missing wall time;
- on the fall-back day a time inside the repeated hour happens at its first occurrence only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Slot:
    """One day's scheduled time: the local date a job runs for and the instant it is due."""

    day: date
    at: datetime  # aware, in the configured zone


def clock_time(daily_at: str) -> time:
    """The ``HH:MM`` of settings.daily_at as a time of day (the settings have validated it)."""
    hour, minute = (int(part) for part in daily_at.split(":"))
    return time(hour, minute)


def slot_on(day: date, daily_at: str, timezone: str) -> Slot:
    """The scheduled instant of ``day``."""
    zone = ZoneInfo(timezone)
    wall = datetime.combine(day, clock_time(daily_at), tzinfo=zone)  # fold=0: first occurrence
    # The round trip through UTC turns a wall time in the spring gap into the real instant.
    return Slot(day=day, at=wall.astimezone(UTC).astimezone(zone))


def latest_slot(daily_at: str, timezone: str, now: datetime) -> Slot:
    """The most recent scheduled time at or before ``now`` (an aware datetime)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    slot = slot_on(today, daily_at, timezone)
    # In UTC: aware datetimes sharing a zone compare by wall clock, wrong in the repeated hour.
    if slot.at.astimezone(UTC) > now.astimezone(UTC):
        return slot_on(today - timedelta(days=1), daily_at, timezone)
    return slot


def next_slot(daily_at: str, timezone: str, now: datetime) -> Slot:
    """The first scheduled time after ``now``."""
    latest = latest_slot(daily_at, timezone, now)
    return slot_on(latest.day + timedelta(days=1), daily_at, timezone)


def due_jobs(jobs: Iterable[str], last_done: Mapping[str, date | None], latest: Slot) -> list[str]:
    """The jobs that have not run for the latest slot's day, in order, each once.

    However many days were missed, a job is due once, for the latest day: never a backlog.
    A job with no recorded day is not due; the scheduler records it on its first start.
    """
    due = []
    for job in jobs:
        done = last_done.get(job)
        if done is not None and done < latest.day:
            due.append(job)
    return due
