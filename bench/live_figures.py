"""The live benchmark's figures: pure functions of the events sent and the Okta writes seen."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TITLE = re.compile(r"^Title (\d+)$")


@dataclass(frozen=True)
class Write:
    """One successful profile write the fake Okta applied: when (monotonic s), whose, what title."""

    at: float
    user_id: str
    title: str | None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil, at least the first
    return ordered[min(len(ordered), int(rank)) - 1]


def ms(value: float | None) -> float | None:
    """Seconds as milliseconds to 0.1 ms; None stays None."""
    return None if value is None else round(value * 1000, 1)


def _s(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def title_number(title: str | None) -> int | None:
    """n of "Title <n>", else None."""
    match = TITLE.match(title or "")
    return int(match[1]) if match else None


def event_to_write(
    rows: Sequence[Sequence[Any]], writes: Sequence[Write], person_of: dict[str, str]
) -> dict[str, Any]:
    """Per accepted event: the first write of its person carrying its title or a newer one."""
    by_person: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for write in writes:
        number = title_number(write.title)
        person = person_of.get(write.user_id)
        if number is not None and person is not None:
            by_person[person].append((write.at, number))
    for found in by_person.values():
        found.sort()
    latencies: list[float] = []
    exact = superseded = never = early = 0
    for person, number, _scheduled, _changed, sent, _answered, status in rows:
        if not 200 <= status < 300:
            continue
        serving = next(((at, m) for at, m in by_person.get(person, []) if m >= number), None)
        if serving is None:
            never += 1
            continue
        at, written = serving
        exact += written == number
        superseded += written > number
        early += at < sent
        latencies.append(max(0.0, at - sent))
    return {
        "events_written_own_title": exact,
        "events_written_by_a_later_title": superseded,
        "events_never_written": never,
        "writes_before_event_sent": early,
        "event_to_write_p50_s": _s(percentile(latencies, 0.50)),
        "event_to_write_p95_s": _s(percentile(latencies, 0.95)),
        "event_to_write_p99_s": _s(percentile(latencies, 0.99)),
        "event_to_write_max_s": _s(max(latencies, default=None)),
    }


def out_of_order_writes(writes: Sequence[Write], person_of: dict[str, str]) -> int:
    """Writes of a title older than one already written for the same person (a stale overwrite)."""
    newest: dict[str, int] = {}
    stale = 0
    for write in sorted(writes, key=lambda w: w.at):
        number = title_number(write.title)
        person = person_of.get(write.user_id)
        if number is None or person is None:
            continue
        if number < newest.get(person, -1):
            stale += 1
        newest[person] = max(number, newest.get(person, -1))
    return stale


def people_out_of_step(rows: Sequence[Sequence[Any]], final: dict[str, int]) -> int:
    """People whose Okta title at the end is older than their last accepted event's title."""
    last: dict[str, int] = {}
    for person, number, *_times, status in rows:
        if 200 <= status < 300:
            last[person] = max(number, last.get(person, -1))
    return sum(1 for person, number in last.items() if final.get(person, -1) < number)


def bucket_pressure(counters: Any, limits: dict[str, int], share: float) -> dict[str, float]:
    """Per bucket: the most requests in one window over the budget hopsync may use (share)."""
    pressure = {}
    for bucket, windows in counters.window_counts.items():
        if windows:
            budget = limits.get(bucket, limits.get("other", 600)) * share
            pressure[bucket] = round(max(windows.values()) / budget, 3)
    return dict(sorted(pressure.items(), key=lambda item: -item[1]))
