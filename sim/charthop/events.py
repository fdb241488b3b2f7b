"""ChartHop-shaped webhook events: build them, sign them, and POST them to a receiver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import aiohttp

from shared.errors import TransportError

SIGNATURE_HEADER: Final = "X-Hopsync-Signature"
ENTITY_TYPES: Final = {"change": "CHANGE", "person": "PERSON", "job": "JOB"}
EVENT_TYPES: Final = {"create": "CREATE", "update": "UPDATE", "delete": "DELETE"}


def make_event(
    code: str,
    person_id: str,
    fields: Sequence[str] = (),
    *,
    org_id: str = "",
    job_id: str | None = None,
    payload: Mapping[str, Any] | None = None,
    event_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """An event envelope for ``code`` (``entity.type[.subtype]``, e.g. ``change.update.data``).

    ``entityId`` is the person for person events, the job for job events and a new change id for
    change events. Raises ValueError for a code of another shape.
    """
    parts = code.split(".")
    if len(parts) < 2 or parts[0] not in ENTITY_TYPES or parts[1] not in EVENT_TYPES:
        raise ValueError(
            f"event code {code!r} is not entity.type[.subtype] with entity in"
            f" {sorted(ENTITY_TYPES)} and type in {sorted(EVENT_TYPES)}"
        )
    entity = ENTITY_TYPES[parts[0]]
    entity_id = {"PERSON": person_id, "JOB": job_id or person_id}.get(entity, secrets.token_hex(12))
    event: dict[str, Any] = {
        "id": event_id or secrets.token_hex(12),
        "orgId": org_id,
        "type": EVENT_TYPES[parts[1]],
        "entityType": entity,
        "entityId": entity_id,
        "personId": person_id,
        "code": code,
        "fields": list(fields),
        "at": (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "payload": dict(payload or {}),
    }
    if job_id:
        event["jobId"] = job_id
    return event


def event_body(event: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed for an event (the bytes the signature covers)."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    """The ``X-Hopsync-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_headers(secret: str | None, body: bytes) -> dict[str, str]:
    """Headers of an event POST: JSON, and with a secret its bearer token and body signature."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
        headers[SIGNATURE_HEADER] = signature(secret, body)
    return headers


async def send_event(
    url: str,
    event: Mapping[str, Any],
    *,
    secret: str | None,
    session: aiohttp.ClientSession,
    timeout_s: float = 10,
) -> int:
    """POST one event to ``url`` and return the receiver's HTTP status."""
    body = event_body(event)
    try:
        async with session.post(
            url,
            data=body,
            headers=event_headers(secret, body),
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise TransportError(
            f"sending event {event.get('code')!r} to {url} failed ({type(exc).__name__}: {exc});"
            " check that the webhook receiver is running at that URL",
            method="POST",
            url=url,
        ) from None


def send_event_sync(
    url: str, event: Mapping[str, Any], *, secret: str | None = None, timeout_s: float = 10
) -> int:
    """``send_event`` for code without an event loop (demos, the CLI); opens its own session."""

    async def run() -> int:
        async with aiohttp.ClientSession() as session:
            return await send_event(url, event, secret=secret, session=session, timeout_s=timeout_s)

    return asyncio.run(run())
