"""The audit trail: every change and action made in the console, who made it and when.

Each entry is kept in the whole trail (newest first, capped) and under its subject (a run, a
configuration version, a dead letter, an account), so each page shows what was done to its thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import redis
from pydantic import BaseModel, ConfigDict

from shared import constants

KEEP: Final = 10_000
KEEP_PER_SUBJECT: Final = 500


class AuditEntry(BaseModel):
    """One recorded change or action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    account: str
    action: str
    subjects: list[str]
    detail: str = ""


class AuditLog:
    """Appends and reads audit entries in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def record(self, account: str, action: str, subjects: list[str], detail: str = "") -> None:
        """Record that ``account`` did ``action`` to ``subjects`` (``run:ID``, ``version:7``)."""
        entry = AuditEntry(
            at=datetime.now(UTC), account=account, action=action, subjects=subjects, detail=detail
        )
        raw = entry.model_dump_json()
        with self.client.pipeline() as pipe:
            pipe.lpush(constants.CONSOLE_AUDIT, raw)
            pipe.ltrim(constants.CONSOLE_AUDIT, 0, KEEP - 1)
            for subject in subjects:
                pipe.lpush(constants.console_audit_subject_key(subject), raw)
                pipe.ltrim(constants.console_audit_subject_key(subject), 0, KEEP_PER_SUBJECT - 1)
            pipe.execute()

    def recent(self, limit: int = 200) -> list[AuditEntry]:
        """The newest entries first."""
        return self._read(constants.CONSOLE_AUDIT, limit)

    def about(self, subject: str, limit: int = 50) -> list[AuditEntry]:
        """The newest entries about one subject first."""
        return self._read(constants.console_audit_subject_key(subject), limit)

    def _read(self, key: str, limit: int) -> list[AuditEntry]:
        return [
            AuditEntry.model_validate_json(raw) for raw in self.client.lrange(key, 0, limit - 1)
        ]
