"""Sender authentication over HTTP: bearer token or token parameter, plus an optional signature."""

from __future__ import annotations

import http.client

import redis
from structlog.testing import capture_logs

from sim.charthop import event_body, signature
from tests.producers.live.support import SECRET, FakeClock, pending
from tests.producers.webhook.conftest import Serve, person_event

JSON = {"Content-Type": "application/json"}


def test_an_event_without_any_credential_is_refused_and_nothing_is_stored(
    serve: Serve, client: redis.Redis
) -> None:
    reply = serve().send(person_event("p1"), secret=None)
    assert reply.status == 401 and reply.body["error"] == "unauthorized"
    assert "no credential" in reply.body["detail"]
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert client.keys("*") == []


def test_a_wrong_bearer_token_is_refused(serve: Serve, client: redis.Redis) -> None:
    reply = serve().send(person_event("p1"), secret="not-the-secret")
    assert (reply.status, reply.body["detail"]) == (401, "the bearer token is wrong")
    assert client.keys("*") == []


def test_another_authorization_scheme_is_refused(serve: Serve, client: redis.Redis) -> None:
    body = event_body(person_event("p1"))
    reply = serve().post(body, {**JSON, "Authorization": f"Basic {SECRET}"})
    assert reply.status == 401 and "not a Bearer token" in reply.body["detail"]
    assert client.keys("*") == []


def test_a_wrong_token_parameter_is_refused(serve: Serve, client: redis.Redis) -> None:
    reply = serve().post(event_body(person_event("p1")), JSON, query="?token=guess")
    assert (reply.status, reply.body["detail"]) == (401, "the token parameter is wrong")
    assert client.keys("*") == []


def test_a_signature_that_does_not_match_the_body_is_refused_despite_the_right_token(
    serve: Serve, client: redis.Redis
) -> None:
    signed = event_body(person_event("p1"))
    sent = event_body(person_event("p2"))
    headers = {**JSON, "Authorization": f"Bearer {SECRET}"}
    reply = serve().post(sent, {**headers, "X-Hopsync-Signature": signature(SECRET, signed)})
    assert reply.status == 401 and "X-Hopsync-Signature" in reply.body["detail"]
    assert client.keys("*") == []


def test_a_signature_made_with_another_secret_is_refused(serve: Serve, client: redis.Redis) -> None:
    body = event_body(person_event("p1"))
    headers = {**JSON, "X-Hopsync-Signature": signature("other-secret", body)}
    reply = serve().post(body, headers, query=f"?token={SECRET}")
    assert reply.status == 401
    assert client.keys("*") == []


def test_a_signed_event_with_the_bearer_token_is_queued(serve: Serve, client: redis.Redis) -> None:
    clock = FakeClock()
    reply = serve(clock=clock).send(person_event("p1"))
    assert reply.status == 202 and reply.body == {"status": "queued", "target": "person:p1"}
    assert pending(client) == {"person:p1": clock.now + 1}  # the default coalescing window


def test_the_token_parameter_alone_is_accepted(serve: Serve, client: redis.Redis) -> None:
    reply = serve().post(event_body(person_event("p1")), JSON, query=f"?token={SECRET}")
    assert reply.status == 202
    assert list(pending(client)) == ["person:p1"]


def test_the_bearer_token_alone_is_accepted(serve: Serve, client: redis.Redis) -> None:
    body = event_body(person_event("p1"))
    reply = serve().post(body, {**JSON, "Authorization": f"Bearer {SECRET}"})
    assert reply.status == 202
    assert list(pending(client)) == ["person:p1"]


def test_neither_the_secret_nor_the_authorization_header_is_ever_logged(serve: Serve) -> None:
    webhook = serve()
    body = event_body(person_event("p1"))
    with capture_logs() as logs:
        webhook.post(body, {**JSON, "Authorization": f"Bearer {SECRET}x"})
        webhook.post(body, JSON, query=f"?token={SECRET}x")
        webhook.send(person_event("p2"))
    assert len(logs) == 3
    assert SECRET not in repr(logs) and "Bearer" not in repr(logs)


def test_credentials_that_are_not_utf8_are_refused_not_crashed_on(
    serve: Serve, client: redis.Redis
) -> None:
    webhook = serve()
    body = event_body(person_event("p1"))
    connection = http.client.HTTPConnection(webhook.host, webhook.port, timeout=10)
    try:
        connection.putrequest("POST", "/webhooks/charthop?token=%ff%fe")
        for name, value in (
            ("Authorization", b"Bearer \xff\xfe\xed\xa0\x80"),
            ("X-Hopsync-Signature", b"sha256=\xff"),
            ("Content-Length", str(len(body)).encode()),
        ):
            connection.putheader(name, value)
        connection.endheaders(body)
        assert connection.getresponse().status == 401
    finally:
        connection.close()
    reply = webhook.post(body, JSON, query="?token=%ff%fe%ed%a0%80")
    assert reply.status == 401
    assert client.keys("*") == []
