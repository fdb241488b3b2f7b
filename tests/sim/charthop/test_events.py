"""Webhook events are ChartHop-shaped, and arrive signed with an HMAC of their exact bytes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from shared.errors import TransportError
from sim.charthop import SIGNATURE_HEADER, make_event, send_event, send_event_sync
from sim.server import BackgroundServer
from tests.shared.charthop.serving import served

SECRET = "hook-secret-42"


class Receiver:
    """A webhook endpoint that records what it got and checks the signature by hand."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), expected)
        bearer = request.headers.get("Authorization") == f"Bearer {SECRET}"
        self.received.append({"body": json.loads(raw), "signed": signed, "bearer": bearer})
        return web.Response(status=202 if signed and bearer else 401)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks/charthop", self.handle)
        return app


def test_an_event_has_the_charthop_envelope() -> None:
    at = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    event = make_event(
        "change.update.data", "p1", ["title"], org_id="o1", job_id="j1", payload={"x": 1}, at=at
    )
    assert event["type"] == "UPDATE" and event["entityType"] == "CHANGE"
    assert event["code"] == "change.update.data" and event["fields"] == ["title"]
    assert (event["personId"], event["jobId"], event["orgId"]) == ("p1", "j1", "o1")
    assert event["at"] == "2026-11-28T09:30:00Z" and event["payload"] == {"x": 1}
    assert len(event["id"]) == 24 and event["entityId"] not in ("p1", "j1")
    person_event = make_event("person.create", "p1")
    assert (person_event["type"], person_event["entityType"]) == ("CREATE", "PERSON")
    assert person_event["entityId"] == "p1" and "jobId" not in person_event
    assert make_event("job.delete", "p1", job_id="j9")["entityId"] == "j9"


@pytest.mark.parametrize("code", ["hire", "change", "team.update", "person.rename"])
def test_a_malformed_event_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match=r"entity\.type"):
        make_event(code, "p1")


def test_an_event_is_posted_with_bearer_token_and_a_valid_signature() -> None:
    receiver = Receiver()
    event = make_event("change.create.hire", "p1", ["startDate"])

    async def scenario() -> int:
        async with served(receiver.app()) as url, aiohttp.ClientSession() as session:
            return await send_event(f"{url}/hooks/charthop", event, secret=SECRET, session=session)

    assert asyncio.run(scenario()) == 202
    assert receiver.received == [{"body": event, "signed": True, "bearer": True}]


def test_an_event_sent_without_a_secret_carries_no_credentials() -> None:
    receiver = Receiver()

    async def scenario() -> int:
        async with served(receiver.app()) as url, aiohttp.ClientSession() as session:
            event = make_event("person.update", "p1")
            return await send_event(f"{url}/hooks/charthop", event, secret=None, session=session)

    assert asyncio.run(scenario()) == 401
    assert receiver.received[0]["signed"] is False and receiver.received[0]["bearer"] is False


def test_the_sync_wrapper_sends_from_code_without_an_event_loop() -> None:
    receiver = Receiver()
    event = make_event("change.create.depart", "p7")
    with BackgroundServer(receiver.app()) as server:
        status = send_event_sync(f"{server.url}/hooks/charthop", event, secret=SECRET)
    assert status == 202
    assert receiver.received[0]["body"]["personId"] == "p7"


def test_an_unreachable_receiver_raises_a_transport_error_naming_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks"
    with pytest.raises(TransportError, match="webhook receiver is running") as caught:
        send_event_sync(url, make_event("person.update", "p1"), secret=SECRET)
    assert url in str(caught.value) and SECRET not in str(caught.value)
