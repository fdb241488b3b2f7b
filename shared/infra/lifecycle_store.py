"""What hopsync did to leavers' Okta users, kept in Redis (one hash, by Okta user id).

Written by the worker right after a suspension or deactivation succeeds, deleted after a rehire's
reactivation. Read by the resync producer (all at once) and by workers (one user at a time).
Records do not expire: a rehire may come back years later.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis

from shared import constants
from shared.core.models import LifecycleRecord


class LifecycleStore:
    """Reads and writes lifecycle records (synchronous: producers and worker threads)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def save(self, record: LifecycleRecord) -> None:
        """Record what hopsync just did to a user (replacing an older record)."""
        self.client.hset(constants.LIFECYCLE, record.okta_user_id, record.model_dump_json())

    def forget(self, okta_user_id: str) -> None:
        """Drop a user's record (hopsync reactivated them)."""
        self.client.hdel(constants.LIFECYCLE, okta_user_id)

    def get(self, okta_user_id: str) -> LifecycleRecord | None:
        """The record of one user, or None."""
        raw = self.client.hget(constants.LIFECYCLE, okta_user_id)
        return LifecycleRecord.model_validate_json(raw) if raw is not None else None

    def all(self) -> dict[str, LifecycleRecord]:
        """Every record, by Okta user id."""
        raw = self.client.hgetall(constants.LIFECYCLE)
        records = (LifecycleRecord.model_validate_json(value) for value in raw.values())
        return {record.okta_user_id: record for record in records}

    def find_by_match(self, match_value: str) -> LifecycleRecord | None:
        """The newest record of a user with this match value (a rehire not found by search)."""
        found = [r for r in self.all().values() if r.match_value == match_value]
        return max(found, key=lambda record: record.at) if found else None


def deactivated_ids(records: Iterable[LifecycleRecord]) -> set[str]:
    """The users hopsync deactivated (a resync's user list leaves DEPROVISIONED users out)."""
    return {record.okta_user_id for record in records if record.action == "deactivated"}
