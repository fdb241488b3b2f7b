"""Signed-in sessions in Redis, each with its own CSRF token.

The cookie holds a random token; Redis holds the session under the token's SHA-256, so a dump of
Redis holds no usable cookie. Sessions expire after ``ttl_s`` of inactivity (each request renews).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Final

import redis
from pydantic import BaseModel, ConfigDict

from shared import constants

SESSION_TTL_S: Final = 8 * 3600


class Session(BaseModel):
    """Who is signed in, and the token their changes must carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str
    csrf: str
    signed_in_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Creates, reads, renews and ends sessions."""

    def __init__(self, client: redis.Redis, ttl_s: int = SESSION_TTL_S) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def start(self, account: str) -> tuple[str, Session]:
        """A new session; returns (cookie token, session)."""
        token = secrets.token_urlsafe(32)
        session = Session(
            account=account, csrf=secrets.token_urlsafe(32), signed_in_at=datetime.now(UTC)
        )
        self.client.set(
            constants.console_session_key(_digest(token)), session.model_dump_json(), ex=self.ttl_s
        )
        return token, session

    def get(self, token: str) -> Session | None:
        """The session of a cookie token (renewing it), or None when unknown or expired."""
        key = constants.console_session_key(_digest(token))
        with self.client.pipeline() as pipe:
            pipe.get(key)
            pipe.expire(key, self.ttl_s)
            raw, _ = pipe.execute()
        return Session.model_validate_json(raw) if raw is not None else None

    def end(self, token: str) -> None:
        """Sign out."""
        self.client.delete(constants.console_session_key(_digest(token)))
