"""Security fixtures: a served webhook receiver and a raw HTTP client that sends anything."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis

from producers.webhook import create_app
from shared import constants
from sim.server import BackgroundServer
from tests.producers.live.support import FakeClock, loaded_config


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status and body parsed as JSON (None when it is not JSON)."""

    status: int
    body: Any


class RawClient:
    """One keep-alive HTTP connection that sends bytes and headers exactly as given."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=10)

    def send(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Answer:
        """Send one request; a connection the server closed is reopened once."""
        for attempt in (0, 1):
            try:
                self.connection.request(method, path, body=body, headers=dict(headers))
                response = self.connection.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                return Answer(response.status, _json(raw))
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def text(value: bytes | str) -> str:
    """A Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else value


def live_keys(client: redis.Redis) -> list[str]:
    """Every key an accepted event writes: the pending set and the dedup markers."""
    found = [text(key) for key in client.keys(f"{constants.WEBHOOK_SEEN_PREFIX}:*")]
    if client.exists(constants.LIVE_PENDING):
        found.append(constants.LIVE_PENDING)
    return found


@pytest.fixture
def receiver(redis_url: str) -> Iterator[RawClient]:
    """The webhook receiver served on a loopback port, with a raw client to it."""
    app = create_app(loaded_config(redis_url), clock=FakeClock())
    with BackgroundServer(app) as server:
        client = RawClient(server.url)
        yield client
        client.close()


@pytest.fixture
def store(redis_url: str) -> Iterator[redis.Redis]:
    """A client on the receiver's Redis."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


# The fault suite's simulated world, with its replaceable worker fleet.
from tests.faults.conftest import arena  # noqa: E402, F401
