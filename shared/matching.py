"""Match ChartHop people to Okta users for a run, finding conflicts and Okta-only members.

Pure: the producer hands in everything it read, and gets back what to enqueue and what it decided.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.models import OktaUserSnapshot, PersonOutcome, SyncItem
from shared.plan import precheck
from shared.rules import Rules, normalize_match


@dataclass
class MatchResult:
    """What a run enqueues, and the outcomes the producer decided without a message."""

    items: list[SyncItem] = field(default_factory=list)
    outcomes: list[PersonOutcome] = field(default_factory=list)


def match_people(
    people: Iterable[Mapping[str, Any]],
    okta_users: Iterable[OktaUserSnapshot],
    rules: Rules,
) -> MatchResult:
    """Pair every person with their Okta user; report conflicts; add Okta-only group members."""
    attribute = rules.config.match.okta_attribute
    by_value: dict[str, list[OktaUserSnapshot]] = defaultdict(list)
    for user in okta_users:
        value = normalize_match(user.profile.get(attribute))
        if value is not None:
            by_value[value].append(user)
    people_by_value: dict[str | None, list[Mapping[str, Any]]] = defaultdict(list)
    result = MatchResult()
    claimed: set[str] = set()
    for person in people:
        people_by_value[rules.match_value(person)].append(person)
    for value, group in people_by_value.items():
        users = by_value.get(value, []) if value is not None else []
        claimed.update(user.id for user in users)
        for person in group:
            _place(result, person, value, group, users, rules)
    _add_orphans(result, by_value, claimed, rules)
    return result


def _place(
    result: MatchResult,
    person: Mapping[str, Any],
    value: str | None,
    sharing: list[Mapping[str, Any]],
    users: list[OktaUserSnapshot],
    rules: Rules,
) -> None:
    key = str(person.get("id") or f"match:{value}")
    reason: str | None = None
    status = "conflict"
    held_back = precheck(person, rules)
    if held_back is not None:
        status, reason = held_back
    elif len(sharing) > 1:
        reason = f"{len(sharing)} ChartHop people share the match value {value!r}"
    elif len(users) > 1:
        ids = ", ".join(user.id for user in users)
        reason = f"{len(users)} Okta users ({ids}) share the match value {value!r}"
    if reason is None:
        okta = users[0] if users else None
        result.items.append(SyncItem(key=key, person_id=key, person=dict(person), okta=okta))
        return
    result.outcomes.append(
        PersonOutcome(
            key=key,
            status="deferred" if status == "deferred" else "conflict",
            person_id=str(person.get("id")) if person.get("id") else None,
            name=rules.person_name(person),
            match_value=value,
            okta_user_id=users[0].id if len(users) == 1 else None,
            reason=reason,
        )
    )


def _add_orphans(
    result: MatchResult,
    by_value: Mapping[str, list[OktaUserSnapshot]],
    claimed: set[str],
    rules: Rules,
) -> None:
    managed = set(rules.groups)
    seen: set[str] = set()
    for users in by_value.values():
        for user in users:
            if user.id in claimed or user.id in seen or not managed & set(user.group_names):
                continue
            seen.add(user.id)
            result.items.append(SyncItem(key=f"okta:{user.id}", okta=user))
