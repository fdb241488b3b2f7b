"""Safety limits for live sync: the resync's limits, counted over a rolling hour.

Each live write is admitted atomically against what live sync wrote in the last hour; a person
whose writes would pass a limit is held (kept in Redis, nothing written) until an operator
approves the live run they belong to with `hopsync runs approve RUN`, or discards it. Shares
("10%") are of the org as the last resync saw it; before any resync only counts apply.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import redis
from pydantic import BaseModel, ConfigDict

from config.settings import SafetyConfig
from shared import constants
from shared.core.models import PersonOutcome, SyncItem
from shared.core.safety import DEFAULT_MAX_DEACTIVATIONS, PlannedTotals, deactivations_of
from shared.infra.runs import PlannedNote
from shared.lua import lua_script

WINDOW_S = 3600

_ADMIT = lua_script(__name__, "live_safety_admit.lua")
_NAMES = {
    "u": "profile updates",
    "c": "creates",
    "r": "group removals",
    "d": "suspensions/deactivations",
}
_SETTINGS = {
    "u": "max_updates",
    "c": "max_creates",
    "r": "max_group_removals",
    "d": "max_deactivations",
}


class HeldItem(BaseModel):
    """A live item held by a safety limit, with the run it belongs to."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    reason: str
    item: SyncItem


class LiveSafety:
    """Admits live writes against the rolling-hour limits and keeps what it holds."""

    def __init__(self, client: redis.Redis, safety: SafetyConfig | None) -> None:
        """``safety`` None: only max_deactivations' default applies (leavers on, no limits set)."""
        self.client = client
        self.safety = safety
        self._admit = client.register_script(_ADMIT)

    def admit(
        self, outcome: PersonOutcome, now: float | None = None, *, note: PlannedNote | None = None
    ) -> str | None:
        """Count an outcome's writes in the window; the reason when a limit would be passed.

        With ``note``, an admitted outcome is also noted as planned (RunStore.save_planned) in
        the same round trip; a refused one is not.
        """
        totals = PlannedTotals.of([outcome])
        args: list[float | int | str] = [
            now or time.time(),
            WINDOW_S,
            totals.updates,
            totals.creates,
            totals.group_removals,
            deactivations_of([outcome]),
            *limit_specs(self.safety),
            uuid.uuid4().hex,
        ]
        keys = [constants.SAFETY_WINDOW, constants.SAFETY_BASE]
        if note is not None:
            keys.append(note.key)
            args += [note.field, note.value, note.ttl_s]
        refused = self._admit(keys=keys, args=args)
        if not refused:
            return None
        kind, count, limit = (
            part.decode() if isinstance(part, bytes) else part for part in refused
        )
        return (
            f"live safety limit settings.safety.{_SETTINGS[str(kind)]}: {count} "
            f"{_NAMES[str(kind)]} in the last hour, limit allows {limit}; "
            "approve with `hopsync runs approve RUN`"
        )

    def hold(self, run_id: str, item: SyncItem, reason: str) -> None:
        """Keep a held item for approval."""
        held = HeldItem(run_id=run_id, reason=reason, item=item)
        self.client.hset(constants.SAFETY_HELD, item.key, held.model_dump_json())

    def held(self, run_id: str) -> list[HeldItem]:
        """The items a live run holds."""
        found = [
            HeldItem.model_validate_json(raw) for raw in self.client.hvals(constants.SAFETY_HELD)
        ]
        return [held for held in found if held.run_id == run_id]

    def release(self, items: Iterable[HeldItem]) -> None:
        """Forget held items (approved or discarded)."""
        keys = [held.item.key for held in items]
        if keys:
            self.client.hdel(constants.SAFETY_HELD, *keys)


def limit_specs(safety: SafetyConfig | None) -> list[str | int]:
    """The rolling hour's limits as the admit script reads them: (mode, value, floor) for
    updates, creates, group removals and deactivations, in that order.

    The script applies them to the base the last resync saved, as shared.core.safety's ``ceiling``
    and ``deactivations_allowed`` do: a share never allows fewer than ``min_people`` and limits
    nothing before any resync; the default max_deactivations is 5 people or 2% of the managed
    users, whichever is larger, 5 before any resync.
    """
    floor = safety.min_people if safety is not None else 0
    specs: list[str | int] = []
    if safety is None:
        specs += ["none", 0, 0] * 3
    else:
        for limit in (safety.max_updates, safety.max_creates, safety.max_group_removals):
            specs += _spec(limit, floor)
    deactivations = safety.max_deactivations if safety is not None else None
    if deactivations is not None:
        return [*specs, *_spec(deactivations, floor)]
    count, share = DEFAULT_MAX_DEACTIVATIONS
    return [*specs, "share0", share.removesuffix("%"), int(count)]


def _spec(limit: str, floor: int) -> list[str | int]:
    text = limit.strip()
    if text.endswith("%"):
        return ["share", text.removesuffix("%"), floor]
    return ["count", int(text), 0]


def save_base(client: redis.Redis, people: int, memberships: int, *, managed: int = 0) -> None:
    """Record the org's size at a resync, for live limits given as shares."""
    client.hset(
        constants.SAFETY_BASE,
        mapping={"people": people, "memberships": memberships, "managed": managed},
    )
