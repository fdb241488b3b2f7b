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
from shared.models import PersonOutcome, SyncItem
from shared.safety import PlannedTotals, ceiling, deactivations_allowed, deactivations_of

WINDOW_S = 3600

_ADMIT = """
local window, now, span = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('zremrangebyscore', window, '-inf', now - span)
local kinds = {'u', 'c', 'r', 'd'}
local counts = {u = 0, c = 0, r = 0, d = 0}
for _, member in ipairs(redis.call('zrange', window, 0, -1)) do
  local kind = string.sub(member, 1, 1)
  counts[kind] = (counts[kind] or 0) + 1
end
local wants, limits = {}, {}
for i, kind in ipairs(kinds) do
  wants[kind] = tonumber(ARGV[2 + i])
  limits[kind] = tonumber(ARGV[6 + i])
end
for _, kind in ipairs(kinds) do
  if limits[kind] >= 0 and counts[kind] + wants[kind] > limits[kind] then
    return {kind, counts[kind], limits[kind]}
  end
end
for _, kind in ipairs(kinds) do
  for i = 1, wants[kind] do
    redis.call('zadd', window, now, kind .. ':' .. ARGV[11] .. ':' .. i)
  end
end
redis.call('expire', window, span + 60)
return {}
"""
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

    def admit(self, outcome: PersonOutcome, now: float | None = None) -> str | None:
        """Count an outcome's writes in the window; the reason when a limit would be passed."""
        totals = PlannedTotals.of([outcome])
        args: list[float | int | str] = [
            now or time.time(),
            WINDOW_S,
            totals.updates,
            totals.creates,
            totals.group_removals,
            deactivations_of([outcome]),
            *self._limits(),
            uuid.uuid4().hex,
        ]
        refused = self._admit(keys=[constants.SAFETY_WINDOW], args=args)
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

    def _limits(self) -> list[int]:
        """The rolling hour's limits: updates, creates, group removals, deactivations (-1: none)."""
        people, memberships, managed = self._base()
        safety = self.safety
        limits = [-1, -1, -1]
        if safety is not None:
            limits = [
                self._limit(safety.max_updates, people),
                self._limit(safety.max_creates, people),
                self._limit(safety.max_group_removals, memberships),
            ]
        deactivations = safety.max_deactivations if safety is not None else None
        if deactivations is not None:
            return [*limits, self._limit(deactivations, managed)]
        return [*limits, deactivations_allowed(None, managed or 0)[1]]

    def _limit(self, limit: str, base: int | None) -> int:
        if limit.strip().endswith("%") and base is None:
            return -1  # no resync yet: a share has nothing to be a share of
        floor = self.safety.min_people if self.safety is not None else 0
        return ceiling(limit, base or 0, floor)

    def _base(self) -> tuple[int | None, int | None, int | None]:
        found = self.client.hmget(constants.SAFETY_BASE, "people", "memberships", "managed")
        people, memberships, managed = (int(v) if v is not None else None for v in found)
        return people, memberships, managed

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


def save_base(client: redis.Redis, people: int, memberships: int, *, managed: int = 0) -> None:
    """Record the org's size at a resync, for live limits given as shares."""
    client.hset(
        constants.SAFETY_BASE,
        mapping={"people": people, "memberships": memberships, "managed": managed},
    )
