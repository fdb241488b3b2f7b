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
from shared.core.leavers import Departure, rehire_operation, reversed_by_admin
from shared.core.models import (
    FieldChange,
    LifecycleRecord,
    OktaUserSnapshot,
    OutcomeStatus,
    PersonOutcome,
    SyncItem,
)
from shared.core.okta_refs import OktaLookup
from shared.core.rules import Rules

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
    # The Okta lifecycle call of a leaver (after the group removals) or of a rehire (first).
    lifecycle: str | None = None
    send_email: bool = False
    departure: Departure | None = None
    # People whose Okta user this run creates and an okta() field needs: it waits for them.
    waiting_on: list[str] = field(default_factory=list)

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
    *,
    departed: bool = False,
    record: LifecycleRecord | None = None,
    lookup: OktaLookup | None = None,
) -> PersonPlan:
    """Plan one ChartHop person against their Okta user (None when they have none).

    ``departed``: the person is no longer among ChartHop's active people; ``record``: what
    hopsync last did to the Okta user's status (a leaver's suspension or deactivation);
    ``lookup``: the Okta users okta() fields refer to.
    """
    prepared = rules.prepare(person, lookup)
    match_value = rules.match_value(person)
    base = PersonPlan(
        key=key,
        status="unchanged",
        person_id=_person_id(person),
        name=rules.person_name(person),
        match_value=match_value,
        okta_user_id=okta.id if okta else None,
    )
    leaving = rules.departure(person, departed=departed)
    if leaving is not None:
        return plan_leaver(base, okta, leaving, record, rules, prepared)
    settings = rules.config.settings
    start = rules.future_start(person)
    future = start is not None
    held_back = _held_back(match_value, start, rules)
    if held_back is not None:
        return _with(base, *held_back)
    desired = rules.desired_profile(prepared)
    base.waiting_on = sorted(lookup.waited) if lookup is not None else []
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
    base.lifecycle = rehire_operation(record, okta.status)
    if okta.status == "DEPROVISIONED" and base.lifecycle is None:
        return _with(base, "conflict", f"Okta user {okta.id} is deactivated; reactivate it in Okta")
    _diff_existing(base, okta, desired, set(groups), set(rules.groups))
    base.activate = settings.sync_new_hires and okta.status == "STAGED" and not future
    if base.lifecycle is not None:
        base.status = "reactivated"
        base.send_email = base.lifecycle == "activate" and settings.leavers.rehire_send_email
        base.reason = "active in ChartHop again"
    elif base.changes or base.groups_added or base.groups_removed or base.activate:
        base.status = "updated"
    return base


def plan_leaver(
    plan: PersonPlan,
    okta: OktaUserSnapshot | None,
    leaving: Departure,
    record: LifecycleRecord | None,
    rules: Rules,
    prepared: Mapping[str, Any],
) -> PersonPlan:
    """A leaver's plan: out of every managed group, then suspended or deactivated, once."""
    plan.departure = leaving
    if okta is None:
        return _with(plan, "unchanged", f"{leaving.rule}; no Okta user to act on")
    not_theirs = _someone_elses(okta, prepared, rules)
    if not_theirs is not None:
        return _with(plan, "conflict", f"{leaving.rule}; {not_theirs}")
    if not leaving.due(rules.now()):
        return _with(plan, "deferred", leaving.waiting())
    if reversed_by_admin(record, okta.status, leaving):
        assert record is not None
        return _with(
            plan,
            "unchanged",
            f"{leaving.rule}; an Okta admin reactivated this user after hopsync {record.action}"
            f" it on {record.at.date().isoformat()}: hopsync leaves it as it is",
        )
    action = rules.config.settings.leavers.action
    plan.groups_removed = sorted(set(okta.group_names) & set(rules.groups))
    plan.reason = leaving.rule
    target = "SUSPENDED" if action == "suspend" else "DEPROVISIONED"
    if okta.status in (target, "DEPROVISIONED"):
        plan.status = "updated" if plan.groups_removed else "unchanged"
        return plan
    if action == "suspend" and okta.status != "ACTIVE":
        plan.groups_removed = []
        return _with(
            plan,
            "conflict",
            f"{leaving.rule}; Okta suspends only ACTIVE users and this one is {okta.status}:"
            " deactivate it in Okta, or set settings.leavers.action to deactivate",
        )
    plan.lifecycle = action
    plan.status = "suspended" if action == "suspend" else "deactivated"
    return plan


CHARTHOP_ID = "charthopId"  # the Okta attribute that, where mapped, names the ChartHop person


def _someone_elses(okta: OktaUserSnapshot, prepared: Mapping[str, Any], rules: Rules) -> str | None:
    """Why a leaver's Okta user is not theirs (its mapped charthopId names another), or None."""
    source = rules.fields.get(CHARTHOP_ID)
    if source is None:
        return None
    wanted = normalize_value(source.evaluate(prepared))
    found = normalize_value(okta.profile.get(CHARTHOP_ID))
    if found == wanted:
        return None
    return (
        f"the Okta user's {CHARTHOP_ID} is {found!r}, not this person's {wanted!r}:"
        " it is not one hopsync manages for them, so it is left alone"
    )


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


def precheck(
    person: Mapping[str, Any], rules: Rules, match_value: str | None
) -> tuple[OutcomeStatus, str] | None:
    """Why a person is not synced at all (no match value, or a future start), or None.

    ``match_value`` is ``rules.match_value(person)``, which the caller has already worked out.
    """
    return _held_back(match_value, rules.future_start(person), rules)


def _held_back(
    match_value: str | None, future_start: date | None, rules: Rules
) -> tuple[OutcomeStatus, str] | None:
    if match_value is None:
        return "conflict", f"has no {rules.config.match.charthop} to match on"
    if future_start is not None and not rules.config.settings.sync_new_hires:
        # The date is in the reason, so every summary and page shows when the person comes in.
        return "deferred", f"starts on {future_start.isoformat()}; synced from that day"
    return None


def plan_item(item: SyncItem, rules: Rules, lookup: OktaLookup | None = None) -> PersonPlan | None:
    """The plan for an item: a person against their Okta user, or an Okta-only member.

    ``lookup`` answers okta() fields; by default from the item's refs and pending people.
    """
    if lookup is None and rules.ref_use.paths:
        lookup = OktaLookup(item.refs, item.pending)
    if item.person is not None:
        return plan_person(
            item.key,
            item.person,
            item.okta,
            rules,
            departed=item.departed,
            record=item.lifecycle,
            lookup=lookup,
        )
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
