"""Safety limits: a run that would change too much writes nothing and waits for approval.

Modelled on Okta's import safeguard, and on by default: an ordinary day (a team moving, a reorg of
titles, a week of hires) passes; a mistake (a typo that empties a group, a source that blanks an
attribute, a wrong match that re-creates everyone) is held. Each limit is a count ("200") or a share
("20%") of its base, and a share trips only when more than ``min_people`` people are affected too:

- ``max_group_removals``: people one run removes from one managed group, of that group's members
  in Okta before the run (checked group by group);
- ``max_blanked``: people one run blanks one mapped attribute for, of the people in the run
  (checked attribute by attribute);
- ``max_updates``: people whose Okta profile one run changes, of the people in the run;
- ``max_creates``: Okta users one run creates, of the people in the run.

Pure: the producer hands in the planned outcomes and the members each group had.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from config.settings import SafetyConfig
from shared.core.models import PersonOutcome


@dataclass(frozen=True)
class PlannedTotals:
    """What a run would do, counted as the limits count it."""

    updates: int
    creates: int
    group_removals: int
    removals_by_group: Mapping[str, int]
    blanked_by_attribute: Mapping[str, int]

    @classmethod
    def of(cls, outcomes: Iterable[PersonOutcome]) -> PlannedTotals:
        """Count changed profiles, created people, and removals and blanks by group/attribute."""
        updates = creates = 0
        removals: Counter[str] = Counter()
        blanked: Counter[str] = Counter()
        for outcome in outcomes:
            creates += outcome.status == "created"
            removals.update(outcome.groups_removed)
            if outcome.status != "updated" or not outcome.changes:
                continue
            updates += 1
            blanked.update(c.attribute for c in outcome.changes if c.old and c.new is None)
        return cls(
            updates=updates,
            creates=creates,
            group_removals=sum(removals.values()),
            removals_by_group=dict(removals),
            blanked_by_attribute=dict(blanked),
        )


@dataclass(frozen=True)
class Trip:
    """One limit a plan passes: which setting, for which group or attribute, and the numbers."""

    setting: str  # the settings.safety key
    subject: str | None  # the group or attribute, for the per-group/per-attribute limits
    planned: int
    base: int
    allowed: int
    limit: str

    def describe(self) -> str:
        """One line naming the limit, what tripped it, and what it allows."""
        what = {
            "max_group_removals": f"would remove {self.planned} of {self.base} members "
            f"from group {self.subject!r}",
            "max_blanked": f"would blank {self.subject!r} for {self.planned} of {self.base} people",
            "max_updates": f"would change {self.planned} of {self.base} Okta profiles",
            "max_creates": f"would create {self.planned} Okta users",
        }[self.setting]
        return f"{what}; settings.safety.{self.setting} allows {self.allowed} ({self.limit})"


def allowed(limit: str, base: int) -> int:
    """The count a limit allows: "10%" of the base (rounded up), or a plain count."""
    text = limit.strip()
    if text.endswith("%"):
        return math.ceil(base * float(text[:-1]) / 100)
    return int(text)


def ceiling(limit: str, base: int, floor: int) -> int:
    """What a limit allows, a share never less than ``floor`` people."""
    count = allowed(limit, base)
    return max(count, floor) if limit.strip().endswith("%") else count


def trips(
    safety: SafetyConfig,
    totals: PlannedTotals,
    *,
    people: int,
    members: Mapping[str, int],
) -> list[Trip]:
    """Every limit the planned totals pass; empty when the run may go ahead.

    ``members`` is each managed group's member count in Okta before the run.
    """
    found: list[Trip] = []

    def check(setting: str, subject: str | None, planned: int, base: int, limit: str) -> None:
        most = ceiling(limit, base, safety.min_people)
        if planned > most:
            found.append(Trip(setting, subject, planned, base, most, limit))

    for group, removed in sorted(totals.removals_by_group.items()):
        base = max(members.get(group, 0), removed)
        check("max_group_removals", group, removed, base, safety.max_group_removals)
    for attribute, blanked in sorted(totals.blanked_by_attribute.items()):
        check("max_blanked", attribute, blanked, people, safety.max_blanked)
    check("max_updates", None, totals.updates, people, safety.max_updates)
    check("max_creates", None, totals.creates, people, safety.max_creates)
    return found


def exceeded(
    safety: SafetyConfig, totals: PlannedTotals, *, people: int, members: Mapping[str, int]
) -> list[str]:
    """Every limit the planned totals pass, said in words; empty when the run may go ahead."""
    return [trip.describe() for trip in trips(safety, totals, people=people, members=members)]


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
