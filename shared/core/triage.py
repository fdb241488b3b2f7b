"""Split a run's matched items by their plan: what a worker must write, and what is in step.

Pure. A snapshot item is planned from the very snapshot its message would carry, so an item whose
plan is "unchanged" is decided by the producer: a message for it would cost more than the work it
carries (none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.models import PersonOutcome, SyncItem
from shared.core.plan import plan_item
from shared.core.rules import Rules


@dataclass
class Triage:
    """Items that need a worker, outcomes already decided, and every item's planned outcome."""

    to_send: list[SyncItem] = field(default_factory=list)
    in_step: list[PersonOutcome] = field(default_factory=list)
    planned: list[PersonOutcome] = field(default_factory=list)


def triage(items: Iterable[SyncItem], rules: Rules) -> Triage:
    """Plan each snapshot item; those already in step need no message."""
    result = Triage()
    for item in items:
        plan = plan_item(item, rules) if item.snapshot else None
        if plan is None:
            result.to_send.append(item)
            continue
        outcome = plan.outcome()
        result.planned.append(outcome)
        if plan.status == "unchanged" and not plan.waiting_on:
            result.in_step.append(outcome)
        else:
            result.to_send.append(item)
    return result
