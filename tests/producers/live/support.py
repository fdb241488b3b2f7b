"""Helpers for the live-sync tests: a settable clock, a configuration, and queue readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from pydantic import SecretStr

from config import LoadedConfig, Secrets, parse_config
from shared import constants
from shared.core.models import SyncMessage

SECRET = "whsec-test-6f1c2a9e"
CHARTHOP_TOKEN = "charthop-test-token"


@dataclass
class FakeClock:
    """A clock that stands still until a test moves it."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def loaded_config(
    redis_url: str,
    *,
    secret: str | None = SECRET,
    charthop_url: str = "https://api.charthop.com",
    **settings: Any,
) -> LoadedConfig:
    """A minimal valid configuration on ``redis_url`` with the given settings."""
    raw = {
        "charthop": {"org": "acme", "base_url": charthop_url},
        "okta": {"domain": "acme.okta.com"},
        "profile_fields": {"login": "contact.workEmail"},
        "settings": settings,
    }
    secrets = Secrets(
        webhook_secret=SecretStr(secret) if secret else None,
        charthop_api_token=SecretStr(CHARTHOP_TOKEN),
        redis_url=redis_url,
    )
    return LoadedConfig(config=parse_config(raw), secrets=secrets, path="test.yaml")


def queued(client: redis.Redis, queue: str = constants.SYNC_QUEUE) -> list[dramatiq.Message[Any]]:
    """The messages waiting on a Dramatiq queue of hopsync's namespace, in queue order."""
    name = f"{constants.DRAMATIQ_NAMESPACE}:{queue}"
    ids: list[bytes] = client.lrange(name, 0, -1)  # type: ignore[assignment]
    found = client.hmget(f"{name}.msgs", ids) if ids else []
    bodies: list[bytes | None] = found  # type: ignore[assignment]
    return [dramatiq.Message.decode(body) for body in bodies if body is not None]


def sync_bodies(client: redis.Redis) -> list[SyncMessage]:
    """The bodies of the sync messages waiting on the sync queue."""
    return [SyncMessage.model_validate(message.args[0]) for message in queued(client)]


def pending(client: redis.Redis) -> dict[str, float]:
    """LIVE_PENDING as member -> due time."""
    return _scores(client, constants.LIVE_PENDING)


def inflight(client: redis.Redis) -> dict[str, float]:
    """LIVE_INFLIGHT as member -> lease expiry."""
    return _scores(client, constants.LIVE_INFLIGHT)


def _scores(client: redis.Redis, key: str) -> dict[str, float]:
    found = client.zrange(key, 0, -1, withscores=True)
    rows: list[tuple[bytes, float]] = found  # type: ignore[assignment]
    return {member.decode(): score for member, score in rows}
