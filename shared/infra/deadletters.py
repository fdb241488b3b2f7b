"""The dead-letter queue: messages that failed for good, kept until replayed or purged.

Dramatiq's own dead-letter set expires its messages; hopsync keeps its own so nothing is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict

from shared import constants
from shared.errors import DeadLetterNotFoundError


class DeadLetter(BaseModel):
    """One message that failed for good, with what is needed to understand and replay it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    actor: str
    queue: str
    run_id: str | None = None
    item_key: str | None = None
    person_id: str | None = None
    error: str
    failed_at: datetime
    retries: int = 0
    message: dict[str, Any]


class DeadLetterStore:
    """Reads and writes dead letters in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def add(self, letter: DeadLetter) -> None:
        """Keep a failed message (adding the same id twice keeps the newer record)."""
        with self.client.pipeline() as pipe:
            pipe.hset(constants.DLQ_MESSAGES, letter.id, letter.model_dump_json())
            pipe.zadd(constants.DLQ_INDEX, {letter.id: letter.failed_at.timestamp()})
            pipe.execute()

    def get(self, letter_id: str) -> DeadLetter:
        """One dead letter; raises DeadLetterNotFoundError for an unknown id."""
        raw = self.client.hget(constants.DLQ_MESSAGES, letter_id)
        if raw is None:
            raise DeadLetterNotFoundError(
                f"no dead letter {letter_id!r}; list them with `hopsync dlq list`"
            )
        return DeadLetter.model_validate_json(raw)

    def entries(self) -> list[DeadLetter]:
        """Every dead letter, oldest first."""
        ids = [_text(value) for value in self.client.zrange(constants.DLQ_INDEX, 0, -1)]
        if not ids:
            return []
        raws = self.client.hmget(constants.DLQ_MESSAGES, ids)
        return [DeadLetter.model_validate_json(raw) for raw in raws if raw is not None]

    def remove(self, letter_id: str) -> bool:
        """Drop one dead letter; False when it was not there (a repeated replay is harmless)."""
        with self.client.pipeline() as pipe:
            pipe.hdel(constants.DLQ_MESSAGES, letter_id)
            pipe.zrem(constants.DLQ_INDEX, letter_id)
            removed, _ = pipe.execute()
        return bool(removed)

    def older_than(self, cutoff: datetime) -> list[str]:
        """Ids of dead letters that failed before a time."""
        raw = self.client.zrangebyscore(constants.DLQ_INDEX, "-inf", cutoff.timestamp())
        return [_text(value) for value in raw]

    def count(self) -> int:
        """How many dead letters are kept."""
        return int(self.client.zcard(constants.DLQ_INDEX))


def now() -> datetime:
    """The current time in UTC (a function so tests can see what a record was stamped with)."""
    return datetime.now(UTC)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
