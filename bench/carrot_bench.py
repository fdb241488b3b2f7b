"""Carrot speed: compile realistic group filters and field sources, evaluate them over people.

Usage: ``python bench/carrot_bench.py [--people N] [--json]``. Prints a table, then (always) one
JSON object with every figure as the last line; ``--json`` prints only that line. One process,
one core. People are generated deterministically, half as nested records, half flat.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.carrot import Compiled, compile_filter, compile_source
from shared.records import flatten

TODAY = date(2025, 6, 15)
FILTERS = [
    "department:engineering",
    'department:engineering,sales,"customer success"',
    "is:manager",
    "is:manager department:engineering",
    "title:director,vp,chief",
    'location.address.city:"New York","San Francisco"',
    'location.address.country="US" && !is:manager',
    'employment="Full Time" && tenure>=12',
    "startDate<'2020-01-01'",
    "startDateOrg>='-90d'",
    "is:hire",
    "is:depart",
    'is:start department!="sales"',
    'tags="oncall"',
    '["director", "vp"] = level',
    "(title:engineer || title:developer) !(title:manager)",
    "contact.workEmail:* && name.pref:",
    "grants[0].shares > 1000",
    "employment:contract,intern || endDateOrg:*",
    "department:engineering && location.name:remote || is:manager && tenure >= 24",
]
SOURCES = [
    "name.pref ?: name.first",
    "name.last",
    "lower(contact.workEmail)",
    "upper(department.name)",
    "{{ name.first }} {{ name.last }}",
    'formatDate(startDate, "MMMM d, yyyy")',
    "title if directReports > 0",
    'location.address.city ?: "Remote"',
    "{% if is:manager %}Manager{% elsif tenure < 12 %}New{% else %}IC{% endif %}"
    " - {{ department.name }}",
    'tenure < 12 ? "new" : "tenured"',
]
DEPARTMENTS = ["Engineering", "Sales", "Customer Success", "Finance", "People", "Marketing"]
TITLES = [
    "Software Engineer",
    "Engineering Manager",
    "Director of Sales",
    "VP Finance",
    "Account Executive",
    "Developer Advocate",
    "Chief of Staff",
    "Recruiter",
]
CITIES = [
    ("New York", "US"),
    ("San Francisco", "US"),
    ("London", "GB"),
    ("Berlin", "DE"),
    ("Remote", "US"),
]
EMPLOYMENT = ["Full Time", "Full Time", "Full Time", "Part Time", "Contract", "Intern"]


def person(number: int, rng: random.Random) -> dict[str, Any]:
    """One nested person record."""
    city, country = rng.choice(CITIES)
    start = TODAY - timedelta(days=rng.randint(-60, 3000))
    reports = rng.choice([0, 0, 0, 2, 5])
    record: dict[str, Any] = {
        "id": f"p{number}",
        "name": {
            "first": f"First{number}",
            "last": f"Last{number}",
            "pref": rng.choice(["", None, f"Pref{number}"]),
        },
        "contact": {"workEmail": f"person{number}@example.com"},
        "title": rng.choice(TITLES),
        "level": rng.choice(["ic", "director", "vp", "manager"]),
        "department": {"name": rng.choice(DEPARTMENTS)},
        "location": {"name": city, "address": {"city": city, "country": country}},
        "manager": {"contact": {"workEmail": f"boss{number % 50}@example.com"}},
        "startDate": start.isoformat(),
        "startDateOrg": start.isoformat(),
        "endDateOrg": rng.choice([None] * 9 + [(TODAY - timedelta(days=5)).isoformat()]),
        "employment": rng.choice(EMPLOYMENT),
        "tenure": (TODAY - start).days // 30,
        "tags": rng.sample(["oncall", "remote", "mentor", "ally"], rng.randint(0, 2)),
        "grants": [{"shares": rng.randint(0, 5000)}] if rng.random() < 0.5 else [],
    }
    if rng.random() < 0.5:
        record["directReports"] = reports
    else:
        record["directs"] = [f"p{number + k}" for k in range(reports)]
    return record


def people(count: int) -> list[Mapping[str, Any]]:
    """``count`` people: even ones nested, odd ones flat with dotted keys."""
    rng = random.Random(7)
    return [person(i, rng) if i % 2 == 0 else flatten(person(i, rng)) for i in range(count)]


def _rate(
    items: list[Compiled],
    run: Callable[[Compiled], Callable[[Any], Any]],
    records: list[Mapping[str, Any]],
) -> tuple[float, list[float]]:
    per_item: list[float] = []
    total = 0.0
    for item in items:
        fn = run(item)
        started = time.perf_counter()
        for record in records:
            fn(record)
        elapsed = time.perf_counter() - started
        total += elapsed
        per_item.append(len(records) / elapsed)
    return len(items) * len(records) / total, per_item


def measure(count: int) -> dict[str, Any]:
    """Every figure of one run."""
    clock = lambda: TODAY  # noqa: E731
    records = people(count)
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        filters = [compile_filter(text, clock=clock) for text in FILTERS]
        sources = [compile_source(text, clock=clock) for text in SOURCES]
    compile_ms = (time.perf_counter() - started) / rounds * 1000
    filter_rate, per_filter = _rate(filters, lambda item: item.matches, records)
    source_rate, per_source = _rate(sources, lambda item: item.evaluate, records)
    selected = [sum(1 for record in records if item.matches(record)) for item in filters]
    return {
        "people": count,
        "filters": len(FILTERS),
        "sources": len(SOURCES),
        "compile_ms_all": round(compile_ms, 3),
        "filter_evals_per_s": round(filter_rate),
        "source_evals_per_s": round(source_rate),
        "per_filter_evals_per_s": {t: round(r) for t, r in zip(FILTERS, per_filter, strict=True)},
        "per_source_evals_per_s": {t: round(r) for t, r in zip(SOURCES, per_source, strict=True)},
        "selected_per_filter": dict(zip(FILTERS, selected, strict=True)),
    }


def table(figures: dict[str, Any]) -> str:
    """The figures as readable text."""
    lines = [
        f"people: {figures['people']}  filters: {figures['filters']}  "
        f"sources: {figures['sources']}",
        f"compile (all {figures['filters'] + figures['sources']}): "
        f"{figures['compile_ms_all']:.2f} ms",
        f"filter evaluations/s: {figures['filter_evals_per_s']:>12,}",
        f"source evaluations/s: {figures['source_evals_per_s']:>12,}",
        "",
        f"{'evals/s':>12}  {'selected':>8}  filter",
    ]
    for text, rate in figures["per_filter_evals_per_s"].items():
        lines.append(f"{rate:>12,}  {figures['selected_per_filter'][text]:>8}  {text}")
    lines += ["", f"{'evals/s':>12}  source"]
    lines += [f"{rate:>12,}  {text}" for text, rate in figures["per_source_evals_per_s"].items()]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    figures = measure(args.people)
    if not args.json:
        print(table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
