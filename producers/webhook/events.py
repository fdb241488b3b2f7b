"""Read a webhook body: the JSON object, ChartHop's event envelope, and what it asks for.

Events are untrusted triggers: only the event id, code and the ids of the person or job they name
are read; the worker re-reads the person from ChartHop instead of trusting the payload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from producers.live.queue import JOB, PERSON, Target

# Families a live sync acts on; ChartHop's own guide subscribes to change.*.
EVENT_FAMILIES: Final = ("change.", "person.", "job.")

# Ids end up in Redis keys, log lines and ChartHop queries: keep them to plain characters.
EntityId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,200}$")]


class EventEnvelope(BaseModel):
    """The fields of a ChartHop event the receiver reads; all others are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: EventId | None = None
    code: str | None = Field(default=None, max_length=200)
    entity_type: str | None = Field(default=None, alias="entityType", max_length=32)
    entity_id: EntityId | None = Field(default=None, alias="entityId")
    person_id: EntityId | None = Field(default=None, alias="personId")
    job_id: EntityId | None = Field(default=None, alias="jobId")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        return None if value == "" else value

    def target(self) -> Target | None:
        """The person the event names, else its job; None when it names neither."""
        entity = (self.entity_type or "").upper()
        if self.person_id:
            return Target(PERSON, self.person_id)
        if entity == "PERSON" and self.entity_id:
            return Target(PERSON, self.entity_id)
        if self.job_id:
            return Target(JOB, self.job_id)
        if entity == "JOB" and self.entity_id:
            return Target(JOB, self.entity_id)
        return None


@dataclass(frozen=True)
class Rejected:
    """A body that is not a usable event (answered 400)."""

    error: str
    detail: Any


@dataclass(frozen=True)
class Ignored:
    """An event of a code live sync does not act on (answered 202)."""

    code: str


@dataclass(frozen=True)
class Accepted:
    """An event that asks for a sync of ``target``."""

    target: Target
    event_id: str | None
    code: str | None


def read_event(body: bytes) -> Rejected | Ignored | Accepted:
    """What a raw request body asks for."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return Rejected("malformed JSON", f"the body is not JSON: {_reason(exc)}")
    if not isinstance(raw, dict):
        return Rejected("not an event", f"expected a JSON object, got {_json_type(raw)}")
    code = raw.get("code")
    if isinstance(code, str) and code and not code.startswith(EVENT_FAMILIES):
        return Ignored(code[:200])
    try:
        event = EventEnvelope.model_validate(raw)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        return Rejected("invalid event", problems)
    target = event.target()
    if target is None:
        return Rejected(
            "no person or job",
            "the event must carry personId or jobId, or entityType PERSON/JOB with entityId",
        )
    return Accepted(target=target, event_id=event.id, code=event.code)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:200]


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)
