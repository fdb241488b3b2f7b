"""Match ChartHop people to Okta users for a run, finding conflicts and Okta-only members.

Pure: the producer hands in everything it read, and gets back what to enqueue and what it decided.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.core.leavers import end_date
from shared.core.models import LifecycleRecord, OktaUserSnapshot, PersonOutcome, SyncItem
from shared.core.plan import precheck
from shared.core.rules import Rules, normalize_match


@dataclass
class MatchResult:
    """What a run enqueues, and the outcomes the producer decided without a message."""

    items: list[SyncItem] = field(default_factory=list)
    outcomes: list[PersonOutcome] = field(default_factory=list)


def match_people(
    people: Iterable[Mapping[str, Any]],
    okta_users: Iterable[OktaUserSnapshot],
    rules: Rules,
    *,
    departed: Iterable[Mapping[str, Any]] = (),
    records: Mapping[str, LifecycleRecord] | None = None,
) -> MatchResult:
    """Pair every person with their Okta user; report conflicts; add Okta-only group members.

    ``departed`` people (no longer active in ChartHop) are paired too when an Okta user has
    their match value and no active person claims it: they are the leavers. ``records`` (what
    hopsync did to users' statuses, by Okta user id) ride along with each item.
    """
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
    _add_leavers(result, departed, by_value, people_by_value, claimed, rules)
    _add_orphans(result, by_value, claimed, rules)
    for item in result.items:
        if records and item.okta is not None:
            item.lifecycle = records.get(item.okta.id)
    return result


def _add_leavers(
    result: MatchResult,
    departed: Iterable[Mapping[str, Any]],
    by_value: Mapping[str, list[OktaUserSnapshot]],
    active: Mapping[str | None, list[Mapping[str, Any]]],
    claimed: set[str],
    rules: Rules,
) -> None:
    """Pair each departed person with the one Okta user of their match value, latest end first."""
    latest = sorted(departed, key=lambda person: str(end_date(person) or ""), reverse=True)
    for person in latest:
        value = rules.match_value(person)
        users = by_value.get(value, []) if value is not None else []
        if value in active or len(users) != 1 or users[0].id in claimed or not person.get("id"):
            continue
        claimed.add(users[0].id)
        key = str(person["id"])
        result.items.append(
            SyncItem(key=key, person_id=key, person=dict(person), okta=users[0], departed=True)
        )


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
    held_back = precheck(person, rules, value)
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


def managed_users(items: Iterable[SyncItem]) -> int:
    """How many Okta users a run pairs with ChartHop people (the base of max_deactivations)."""
    return sum(1 for item in items if item.person is not None and item.okta is not None)
