"""A realistic, deterministic org of ChartHop person records: a CEO, departments, a manager tree."""

from __future__ import annotations

import random
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sim.charthop.catalog import (
    CEO_TITLE,
    DEPARTMENTS,
    EMPLOYMENT,
    EXECUTIVE_DEPARTMENT,
    FIRST_NAMES,
    LAST_NAMES,
    LEVELS,
    NICKNAMES,
    OFFICES,
    SENIOR_SHARE,
    Department,
    Office,
)

T = TypeVar("T")
SPAN = (3, 8)  # direct reports per manager, drawn uniformly
MOVED_SHARE = 0.25  # people whose current job started after they joined the org
PREF_SHARE = 0.5  # people with a known nickname who use it


@dataclass
class _Slot:
    """A place in the tree before it has a person: department, manager slot, depth."""

    department: Department | None  # None for the CEO
    manager: int | None
    depth: int
    reports: int = 0


def generate_org(
    size: int,
    *,
    seed: int = 0,
    today: date | None = None,
    domain: str = "acme.example",
    no_email_share: float = 0.0,
    blank_location_share: float = 0.08,
    future_start_share: float = 0.02,
) -> list[dict[str, Any]]:
    """``size`` nested person records in one tree under a CEO; one seed always gives one org.

    Shares are of ``size`` and rounded: that many people get no work email, no location, or a start
    date in the future (new hires, always individual contributors).
    """
    if size < 0:
        raise ValueError(f"org size must be 0 or more, got {size}")
    for name, share in (
        ("no_email_share", no_email_share),
        ("blank_location_share", blank_location_share),
        ("future_start_share", future_start_share),
    ):
        if not 0 <= share <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {share}")
    rng = random.Random(seed)
    day = today or date.today()
    slots = _tree(size, rng)
    people = [_person(index, slot, rng, day) for index, slot in enumerate(slots)]
    _assign_emails(people, rng, domain, no_email_share)
    _blank_locations(people, rng, blank_location_share)
    _future_starts(people, slots, rng, day, future_start_share)
    _link_managers(people, slots)
    return people


def hex_id(rng: random.Random) -> str:
    """A 24-hex-digit id like ChartHop's (Mongo-style object ids)."""
    return f"{rng.getrandbits(96):024x}"


def email_local(first: str, last: str) -> str:
    """``first.last`` in lowercase ASCII: accents dropped, apostrophes and spaces removed."""
    return f"{_ascii(first)}.{_ascii(last)}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def _tree(size: int, rng: random.Random) -> list[_Slot]:
    if size == 0:
        return []
    slots = [_Slot(None, None, 0)]
    for department, count in zip(DEPARTMENTS, _allocate(size - 1), strict=True):
        if count == 0:
            continue
        head = len(slots)
        slots.append(_Slot(department, 0, 1))
        slots[0].reports += 1
        queue, left = deque([head]), count - 1
        while left > 0:
            manager = queue.popleft()
            for _ in range(min(left, rng.randint(*SPAN))):
                queue.append(len(slots))
                slots.append(_Slot(department, manager, slots[manager].depth + 1))
                slots[manager].reports += 1
                left -= 1
    return slots


def _allocate(people: int) -> list[int]:
    """Split ``people`` over the departments by weight (largest remainder)."""
    total = sum(department.weight for department in DEPARTMENTS)
    exact = [people * department.weight / total for department in DEPARTMENTS]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for index in by_remainder[: people - sum(counts)]:
        counts[index] += 1
    return counts


def _person(index: int, slot: _Slot, rng: random.Random, today: date) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name: dict[str, str] = {"first": first, "last": last}
    if first in NICKNAMES and rng.random() < PREF_SHARE:
        name["pref"] = NICKNAMES[first]
    office = _weighted(rng, [(office, office.weight) for office in OFFICES])
    employment = "Full Time" if slot.reports or slot.depth < 2 else _weighted(rng, EMPLOYMENT)
    joined = today - timedelta(days=rng.randint(60 if slot.reports else 14, 9 * 365))
    started = joined
    if rng.random() < MOVED_SHARE:
        started = joined + timedelta(days=rng.randint(0, (today - joined).days))
    return {
        "id": hex_id(rng),
        "jobId": hex_id(rng),
        "name": name,
        "contact": {"workPhone": f"{office.phone_prefix}{rng.randint(0, 9999):04d}"},
        "title": _title(slot, employment, rng),
        "department": {"name": slot.department.name if slot.department else EXECUTIVE_DEPARTMENT},
        "location": _location(office),
        "directReports": slot.reports,
        "startDate": started.isoformat(),
        "startDateOrg": joined.isoformat(),
        "employment": employment,
        "employeeId": str(1001 + index),
    }


def _title(slot: _Slot, employment: str, rng: random.Random) -> str:
    department = slot.department
    if department is None:
        return CEO_TITLE
    if slot.depth == 1:
        return department.head
    if slot.reports:
        return f"Director of {department.name}" if slot.depth == 2 else department.manager
    role = _weighted(rng, [(role, 3 if i == 0 else 1) for i, role in enumerate(department.roles)])
    if employment == "Intern":
        return f"{role} Intern"
    if department.levelled:
        return _weighted(rng, LEVELS).format(role)
    return f"Senior {role}" if rng.random() < SENIOR_SHARE else role


def _location(office: Office) -> dict[str, Any]:
    address = {"city": office.city, "state": office.state, "country": office.country}
    return {"name": office.name, "address": address}


def _weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights, k=1)[0]


def _assign_emails(
    people: list[dict[str, Any]], rng: random.Random, domain: str, no_email_share: float
) -> None:
    without = set(rng.sample(range(len(people)), round(len(people) * no_email_share)))
    taken: set[str] = set()
    for index, person in enumerate(people):
        if index in without:
            continue
        base = email_local(person["name"]["first"], person["name"]["last"])
        local, suffix = base, 2
        while local in taken:
            local, suffix = f"{base}{suffix}", suffix + 1
        taken.add(local)
        person["contact"]["workEmail"] = f"{local}@{domain}".lower()


def _blank_locations(people: list[dict[str, Any]], rng: random.Random, share: float) -> None:
    for index in rng.sample(range(len(people)), round(len(people) * share)):
        del people[index]["location"]


def _future_starts(
    people: list[dict[str, Any]], slots: list[_Slot], rng: random.Random, today: date, share: float
) -> None:
    individual = [index for index, slot in enumerate(slots) if slot.reports == 0 and slot.depth > 0]
    chosen = rng.sample(individual, min(len(individual), round(len(people) * share)))
    for index in chosen:
        start = (today + timedelta(days=rng.randint(1, 45))).isoformat()
        people[index]["startDate"] = people[index]["startDateOrg"] = start


def _link_managers(people: list[dict[str, Any]], slots: list[_Slot]) -> None:
    for person, slot in zip(people, slots, strict=True):
        if slot.manager is not None:
            person["manager"] = manager_ref(people[slot.manager])


def manager_ref(manager: dict[str, Any]) -> dict[str, Any]:
    """The ``manager`` field of a report: the manager's id, and work email when it has one."""
    ref: dict[str, Any] = {"id": manager["id"]}
    email = manager.get("contact", {}).get("workEmail")
    if email:
        ref["contact"] = {"workEmail": email}
    return ref
