"""Serve the webhook receiver on a loopback port and talk to it with plain HTTP requests."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from producers.webhook import WEBHOOK_PATH, CleanupContext, create_app
from sim.charthop import event_body, event_headers, make_event
from sim.server import BackgroundServer
from tests.producers.live.support import SECRET, FakeClock, loaded_config


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, JSON body (None when not JSON) and headers."""

    status: int
    body: Any
    headers: Mapping[str, str]


class WebhookClient:
    """Plain HTTP requests to a served receiver, with exact control over headers and bodies."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            raw = response.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return Reply(response.status, parsed, dict(response.headers))
        finally:
            connection.close()

    def post(self, body: bytes, headers: Mapping[str, str] | None = None, query: str = "") -> Reply:
        return self.request("POST", WEBHOOK_PATH + query, body, headers)

    def send(self, event: Mapping[str, Any], secret: str | None = SECRET) -> Reply:
        """POST an event exactly as the fake ChartHop sends it (bearer token and signature)."""
        body = event_body(event)
        return self.post(body, event_headers(secret, body))


def person_event(
    person_id: str, code: str = "change.update.data", **options: Any
) -> dict[str, Any]:
    """A ChartHop-shaped event about a person."""
    return make_event(code, person_id, ["title"], org_id="org1", **options)


Serve = Callable[..., WebhookClient]


@pytest.fixture
def serve(redis_url: str) -> Iterator[Serve]:
    """Start receivers: ``serve(clock=..., redis_url=..., background=[...], **settings)``."""
    with ExitStack() as stack:

        def start(
            *,
            clock: Callable[[], float] | None = None,
            url: str | None = None,
            charthop_url: str = "https://api.charthop.com",
            background: Sequence[CleanupContext] = (),
            **settings: Any,
        ) -> WebhookClient:
            loaded = loaded_config(url or redis_url, charthop_url=charthop_url, **settings)
            app = create_app(loaded, clock=clock or FakeClock(), background=background)
            server = stack.enter_context(BackgroundServer(app))
            return WebhookClient(server.url)

        yield start
