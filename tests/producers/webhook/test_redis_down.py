"""With Redis unreachable the receiver answers 503 so the sender retries; liveness still holds."""

from __future__ import annotations

import socket

from tests.producers.webhook.conftest import Serve, person_event


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_an_event_is_answered_503_when_redis_is_down(serve: Serve) -> None:
    reply = serve(url=closed_port_url()).send(person_event("p1"))
    assert reply.status == 503 and reply.body["error"] == "redis unavailable"
    assert "retry later" in reply.body["detail"]
    assert reply.headers["Retry-After"] == "5"


def test_liveness_holds_and_readiness_fails_while_redis_is_down(serve: Serve) -> None:
    webhook = serve(url=closed_port_url())
    assert webhook.request("GET", "/healthz").status == 200
    ready = webhook.request("GET", "/readyz")
    assert ready.status == 503 and ready.body["error"] == "redis unavailable"


def test_a_refused_sender_gets_401_not_503_while_redis_is_down(serve: Serve) -> None:
    reply = serve(url=closed_port_url()).send(person_event("p1"), secret="wrong")
    assert reply.status == 401
