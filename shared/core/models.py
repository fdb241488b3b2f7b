"""Pydantic models that cross process boundaries: sync messages, outcomes, runs, summaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RunKind = Literal["resync", "live", "replay"]
RunStatus = Literal["running", "aggregating", "completed", "held", "discarded", "failed"]
OutcomeStatus = Literal[
    "unchanged",
    "updated",
    "created",
    "unmatched",
    "conflict",
    "deferred",
    "failed",
    "held",
    "suspended",
    "deactivated",
    "reactivated",
]
# The order summaries list outcomes in: what needs attention first.
OUTCOME_STATUSES: tuple[OutcomeStatus, ...] = (
    "failed",
    "held",
    "conflict",
    "deactivated",
    "suspended",
    "reactivated",
    "updated",
    "created",
    "unmatched",
    "deferred",
    "unchanged",
)


class Model(BaseModel):
    """A boundary model: unknown keys are errors, so a message from a newer version fails loudly."""

    model_config = ConfigDict(extra="forbid")


class OktaUserSnapshot(Model):
    """What a run knows of one Okta user: id, status, profile and managed-group memberships."""

    id: str
    status: str
    profile: dict[str, Any] = Field(default_factory=dict)
    group_names: list[str] = Field(default_factory=list)


# Outcomes that changed an Okta user's status (a lifecycle call), each its own outcome.
LIFECYCLE_STATUSES: frozenset[OutcomeStatus] = frozenset(
    {"suspended", "deactivated", "reactivated"}
)
LifecycleAction = Literal["suspended", "deactivated"]


class LifecycleRecord(Model):
    """What hopsync did to a leaver's Okta user, kept in Redis until they are reactivated.

    It is what tells a rehire that hopsync may reactivate the user, and a user an Okta admin
    reactivated by hand (status no longer the recorded one) that hopsync must leave alone.
    """

    okta_user_id: str
    action: LifecycleAction
    at: datetime
    run_id: str
    person_id: str | None = None
    match_value: str | None = None
    end_date: date | None = None
    rule: str = ""


class OktaRef(Model):
    """The Okta user of a person another refers to (a manager), for okta(person, attribute)."""

    id: str
    profile: dict[str, Any] = Field(default_factory=dict)


class SyncItem(Model):
    """One person (or one Okta-only user) to bring in sync.

    With ``snapshot`` true, ``person`` and ``okta`` are the run's snapshot and ``okta`` None means
    "no Okta user". With ``snapshot`` false the worker reads both fresh (live sync, replay, retry).
    ``departed`` marks a person no longer among ChartHop's active people; ``lifecycle`` is what
    hopsync last did to the Okta user's status (workers re-read it from Redis). ``refs`` are the
    Okta users of the people the person's okta() fields refer to, by ChartHop person id;
    ``pending`` the people among those whose Okta user this run creates.
    """

    key: str
    person_id: str | None = None
    person: dict[str, Any] | None = None
    okta: OktaUserSnapshot | None = None
    snapshot: bool = True
    approved: bool = False  # of an approved held plan: ``person`` as approved, Okta read again
    departed: bool = False
    lifecycle: LifecycleRecord | None = None
    refs: dict[str, OktaRef] = Field(default_factory=dict)
    pending: list[str] = Field(default_factory=list)


class SyncMessage(Model):
    """The body of one sync message: which run it belongs to and the item to sync."""

    run_id: str
    dry_run: bool = False
    kind: RunKind = "resync"
    item: SyncItem
    # The configuration version (or draft) the run plans with; None: the worker's active one.
    config_version: int | None = None
    config_draft: bool = False


class FieldChange(Model):
    """One profile attribute's change, old -> new."""

    attribute: str
    old: str | None = None
    new: str | None = None


class PersonOutcome(Model):
    """What happened to one person in a run (or, in a dry run, what would have)."""

    key: str
    status: OutcomeStatus
    person_id: str | None = None
    name: str | None = None
    match_value: str | None = None
    okta_user_id: str | None = None
    changes: list[FieldChange] = Field(default_factory=list)
    groups_added: list[str] = Field(default_factory=list)
    groups_removed: list[str] = Field(default_factory=list)
    activated: bool = False
    staged: bool = False
    reason: str | None = None

    @property
    def who(self) -> str:
        """The person as far as the outcome knows: the name, else the ChartHop person id (a
        refused live sync reads nothing, so knows only the id), else the item key."""
        if self.name:
            return self.name
        return f"person {self.person_id}" if self.person_id else self.key

    @property
    def okta_writes(self) -> int:
        """How many Okta write calls this outcome stands for."""
        writes = len(self.groups_removed) + int(self.activated)
        writes += int(self.status in LIFECYCLE_STATUSES)
        if self.status == "created":
            return writes + 1
        return writes + int(bool(self.changes)) + len(self.groups_added)


class RunMeta(Model):
    """A run's metadata, kept in Redis with the run."""

    run_id: str
    kind: RunKind
    dry_run: bool = False
    status: RunStatus = "running"
    created_at: datetime
    finished_at: datetime | None = None
    expected: int = 0
    groups_created: list[str] = Field(default_factory=list)
    note: str = ""
    config_version: int | None = None  # the configuration version (or draft) the run planned with
    config_draft: bool = False
    held_by: list[str] = Field(default_factory=list)  # the safety limits a held run passed
    warnings: list[str] = Field(default_factory=list)  # what a reader should check (dry runs)
    started_by: str = ""  # cli:USER, schedule, live, console:ACCOUNT; "" for older runs


class RunSummary(Model):
    """The aggregator's summary of a finished run: counts and every change."""

    run_id: str
    kind: RunKind
    dry_run: bool
    status: RunStatus
    created_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    counts: dict[str, int]
    okta_writes: int
    groups_created: list[str] = Field(default_factory=list)
    changes: list[PersonOutcome] = Field(default_factory=list)
    reason: str = ""  # why a run failed, or why it is held
    config_version: int | None = None  # the configuration version (or draft) the run planned with
    config_draft: bool = False
    held_by: list[str] = Field(default_factory=list)  # the safety limits a held run passed
    warnings: list[str] = Field(default_factory=list)
    started_by: str = ""  # as in RunMeta

    @property
    def failed_people(self) -> int:
        """How many people failed (their messages are in the dead-letter queue)."""
        return self.counts.get("failed", 0)

    @property
    def changed(self) -> bool:
        """Whether the run changed (or, dry, would change) anything in Okta."""
        return self.okta_writes > 0 or bool(self.groups_created)
