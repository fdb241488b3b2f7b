"""The diff core: from a person, their Okta user and the rules, the writes that bring Okta in step.

Pure: no I/O. Empty values compare equal whatever their spelling (null, absent and "" alike), and
attributes the configuration does not manage are never looked at, so nothing unchanged is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.carrot import render
from shared.models import FieldChange, OktaUserSnapshot, OutcomeStatus, PersonOutcome, SyncItem
from shared.rules import Rules

# Okta's UserProfile limits (official spec): a longer value is refused with E0000001.
OKTA_MAX_LENGTHS = {"login": 100, "email": 100, "firstName": 50, "lastName": 50}


@dataclass
class PersonPlan:
    """The writes one person needs; empty when they are in sync."""

    key: str
    status: OutcomeStatus
    person_id: str | None = None
    name: str | None = None
    match_value: str | None = None
    okta_user_id: str | None = None
    create_profile: dict[str, str] = field(default_factory=dict)
    activate_on_create: bool = True
    changes: list[FieldChange] = field(default_factory=list)
    groups_added: list[str] = field(default_factory=list)
    groups_removed: list[str] = field(default_factory=list)
    activate: bool = False
    reason: str | None = None

    @property
    def profile_update(self) -> dict[str, str | None]:
        """The partial profile update body: just the changed attributes."""
        return {change.attribute: change.new for change in self.changes}

    def outcome(self) -> PersonOutcome:
        """The outcome this plan records once applied (or, in a dry run, as planned)."""
        return PersonOutcome(
            key=self.key,
            status=self.status,
            person_id=self.person_id,
            name=self.name,
            match_value=self.match_value,
            okta_user_id=self.okta_user_id,
            changes=self.changes,
            groups_added=self.groups_added,
            groups_removed=self.groups_removed,
            activated=self.activate,
            staged=self.status == "created" and not self.activate_on_create,
            reason=self.reason,
        )


def normalize_value(value: Any) -> str | None:
    """A profile value as compared by the diff: None for every spelling of empty."""
    text = value if isinstance(value, str) else render(value)
    return text if text not in (None, "") else None


def plan_person(
    key: str,
    person: Mapping[str, Any],
    okta: OktaUserSnapshot | None,
    rules: Rules,
) -> PersonPlan:
    """Plan one ChartHop person against their Okta user (None when they have none)."""
    prepared = rules.prepare(person)
    match_value = rules.match_value(person)
    base = PersonPlan(
        key=key,
        status="unchanged",
        person_id=_person_id(person),
        name=rules.person_name(person),
        match_value=match_value,
        okta_user_id=okta.id if okta else None,
    )
    settings = rules.config.settings
    future = rules.starts_in_future(person)
    held_back = _held_back(match_value, _future_start(person, rules), rules)
    if held_back is not None:
        return _with(base, *held_back)
    desired = rules.desired_profile(prepared)
    too_long = over_length(desired)
    if too_long:
        return _with(base, "failed", too_long)
    groups = sorted(rules.desired_groups(prepared))
    if okta is None:
        if not settings.create_profiles:
            return _with(base, "unmatched", "no Okta user matches and create_profiles is off")
        base.status = "created"
        base.create_profile = {k: v for k, v in desired.items() if v is not None}
        base.changes = [FieldChange(attribute=k, new=v) for k, v in base.create_profile.items()]
        base.activate_on_create = not future
        base.groups_added = groups
        return base
    if okta.status == "DEPROVISIONED":
        return _with(base, "conflict", f"Okta user {okta.id} is deactivated; reactivate it in Okta")
    _diff_existing(base, okta, desired, set(groups), set(rules.groups))
    base.activate = settings.sync_new_hires and okta.status == "STAGED" and not future
    if base.changes or base.groups_added or base.groups_removed or base.activate:
        base.status = "updated"
    return base


def over_length(profile: Mapping[str, str | None]) -> str | None:
    """Why Okta would reject a profile's lengths (its spec's limits), or None."""
    for attribute, limit in OKTA_MAX_LENGTHS.items():
        value = profile.get(attribute)
        if value is not None and len(value) > limit:
            return (
                f"{attribute} is {len(value)} characters, Okta allows {limit};"
                " shorten it in ChartHop"
            )
    return None


def precheck(person: Mapping[str, Any], rules: Rules) -> tuple[OutcomeStatus, str] | None:
    """Why a person is not synced at all (no match value, or a future start), or None."""
    return _held_back(rules.match_value(person), _future_start(person, rules), rules)


def _future_start(person: Mapping[str, Any], rules: Rules) -> date | None:
    """The person's start date when it is after today, else None."""
    return rules.start_date(person) if rules.starts_in_future(person) else None


def _held_back(
    match_value: str | None, future_start: date | None, rules: Rules
) -> tuple[OutcomeStatus, str] | None:
    if match_value is None:
        return "conflict", f"has no {rules.config.match.charthop} to match on"
    if future_start is not None and not rules.config.settings.sync_new_hires:
        # The date is in the reason, so every summary and page shows when the person comes in.
        return "deferred", f"starts on {future_start.isoformat()}; synced from that day"
    return None


def plan_item(item: SyncItem, rules: Rules) -> PersonPlan | None:
    """The plan for an item: a person against their Okta user, or an Okta-only member."""
    if item.person is not None:
        return plan_person(item.key, item.person, item.okta, rules)
    if item.okta is not None:
        return plan_orphan(item.key, item.okta, rules)
    return None


def plan_orphan(key: str, okta: OktaUserSnapshot, rules: Rules) -> PersonPlan:
    """Plan an Okta user that no ChartHop person matches: out of every managed group."""
    managed = set(rules.groups)
    removed = sorted(name for name in okta.group_names if name in managed)
    login = okta.profile.get(rules.config.match.okta_attribute)
    return PersonPlan(
        key=key,
        status="updated" if removed else "unchanged",
        name=_okta_name(okta.profile),
        match_value=str(login).casefold() if login else None,
        okta_user_id=okta.id,
        groups_removed=removed,
        reason="no ChartHop person matches this Okta user",
    )


def _diff_existing(
    plan: PersonPlan,
    okta: OktaUserSnapshot,
    desired: Mapping[str, str | None],
    groups: set[str],
    groups_managed: set[str],
) -> None:
    for attribute, new in desired.items():
        old = normalize_value(okta.profile.get(attribute))
        if old != new:
            plan.changes.append(FieldChange(attribute=attribute, old=old, new=new))
    current = set(okta.group_names) & set(groups_managed)
    plan.groups_added = sorted(groups - current)
    plan.groups_removed = sorted(current - groups)


def _with(plan: PersonPlan, status: OutcomeStatus, reason: str) -> PersonPlan:
    plan.status = status
    plan.reason = reason
    return plan


def _person_id(person: Mapping[str, Any]) -> str | None:
    value = person.get("id")
    return str(value) if value is not None else None


def _okta_name(profile: Mapping[str, Any]) -> str | None:
    name = " ".join(str(profile[k]) for k in ("firstName", "lastName") if profile.get(k))
    return name or None
