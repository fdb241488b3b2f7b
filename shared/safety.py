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


# Leavers' suspensions and deactivations remove access: unless configured, a run may do at most
# 5 of them or 2% of the users hopsync manages, whichever is larger.
DEFAULT_MAX_DEACTIVATIONS = ("5", "2%")
DEACTIVATING: frozenset[str] = frozenset({"suspended", "deactivated"})


def deactivations_of(outcomes: Iterable[PersonOutcome]) -> int:
    """How many leavers the outcomes suspend or deactivate."""
    return sum(outcome.status in DEACTIVATING for outcome in outcomes)


def deactivations_allowed(limit: str | None, managed: int) -> tuple[str, int]:
    """The limit as said to people, and the count it allows out of ``managed`` users."""
    if limit is not None:
        return limit, allowed(limit, managed)
    count, share = DEFAULT_MAX_DEACTIVATIONS
    return f"{count} or {share}", max(allowed(count, managed), allowed(share, managed))


def deactivations_exceeded(limit: str | None, planned: int, managed: int) -> str | None:
    """The reason a run's suspensions and deactivations pass max_deactivations, or None."""
    label, ceiling = deactivations_allowed(limit, managed)
    if planned <= ceiling:
        return None
    return (
        f"{planned} suspensions/deactivations planned, limit max_deactivations {label}"
        f" of {managed} managed users allows {ceiling}"
    )
