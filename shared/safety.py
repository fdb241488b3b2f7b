"""Safety limits: a run that would change too much writes nothing and waits for approval.

Modelled on Okta's import safeguard. Limits are counts ("200") or shares ("10%") of a base:
updates and creates are measured against the people in the run, group removals against the
managed memberships Okta holds before the run. Pure: the producer hands in the planned outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from config.settings import SafetyConfig
from shared.models import PersonOutcome


@dataclass(frozen=True)
class PlannedTotals:
    """What a run would do, counted as the limits count it."""

    updates: int
    creates: int
    group_removals: int

    @classmethod
    def of(cls, outcomes: Iterable[PersonOutcome]) -> PlannedTotals:
        """Count updated people, created people and membership removals."""
        updates = creates = removals = 0
        for outcome in outcomes:
            updates += outcome.status == "updated"
            creates += outcome.status == "created"
            removals += len(outcome.groups_removed)
        return cls(updates=updates, creates=creates, group_removals=removals)


def allowed(limit: str, base: int) -> int:
    """The count a limit allows: "10%" of the base (rounded up), or a plain count."""
    text = limit.strip()
    if text.endswith("%"):
        return math.ceil(base * float(text[:-1]) / 100)
    return int(text)


def exceeded(
    safety: SafetyConfig, totals: PlannedTotals, *, people: int, memberships: int
) -> list[str]:
    """Every limit the planned totals pass, said in words; empty when the run may go ahead."""
    checks = (
        ("updates", totals.updates, safety.max_updates, people),
        ("creates", totals.creates, safety.max_creates, people),
        ("group removals", totals.group_removals, safety.max_group_removals, memberships),
    )
    reasons = []
    for name, planned, limit, base in checks:
        ceiling = allowed(limit, base)
        if planned > ceiling:
            reasons.append(f"{planned} {name} planned, limit {limit} allows {ceiling}")
    return reasons
