"""The receiver's answers: validation, ignored codes, sizes, duplicates, routing, settings."""

from __future__ import annotations

import http.client
import json

import pytest
import redis
from aiohttp import web

from producers.webhook import WEBHOOK_PATH, create_app
from shared import constants
from shared.errors import ConfigError
from sim.charthop import event_headers, make_event
from tests.producers.live.support import SECRET, FakeClock, loaded_config, pending
from tests.producers.webhook.conftest import Serve, WebhookClient, person_event


def post_raw(webhook: WebhookClient, body: bytes) -> tuple[int, dict[str, object]]:
    reply = webhook.post(body, event_headers(SECRET, body))
    return reply.status, reply.body


def test_a_body_that_is_not_json_is_a_400_with_a_json_error(
    serve: Serve, client: redis.Redis
) -> None:
    status, body = post_raw(serve(), b'{"personId": "p1",')
    assert status == 400 and body["error"] == "malformed JSON"
    assert "not JSON" in str(body["detail"])
    assert client.keys("*") == []


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"p1"', b"null", b"42"])
def test_a_json_value_that_is_not_an_object_is_a_400(
    serve: Serve, client: redis.Redis, raw: bytes
) -> None:
    status, body = post_raw(serve(), raw)
    assert status == 400 and body["error"] == "not an event"
    assert client.keys("*") == []


def test_an_event_naming_neither_person_nor_job_is_a_400(serve: Serve, client: redis.Redis) -> None:
    event = {"id": "e1", "code": "change.update.data", "entityType": "CHANGE", "entityId": "c1"}
    status, body = post_raw(serve(), json.dumps(event).encode())
    assert status == 400 and body["error"] == "no person or job"
    assert client.keys("*") == []


def test_an_id_of_the_wrong_type_is_a_400_naming_the_field(
    serve: Serve, client: redis.Redis
) -> None:
    status, body = post_raw(serve(), json.dumps({"personId": 17, "code": "person.update"}).encode())
    assert status == 400 and body["error"] == "invalid event"
    assert [problem["field"] for problem in body["detail"]] == ["personId"]  # type: ignore[attr-defined]
    assert client.keys("*") == []


def test_an_event_code_live_sync_does_not_act_on_is_ignored(
    serve: Serve, client: redis.Redis
) -> None:
    event = {"id": "e1", "code": "org.update", "personId": "p1"}
    status, body = post_raw(serve(), json.dumps(event).encode())
    assert (status, body) == (202, {"status": "ignored", "code": "org.update"})
    assert client.keys("*") == []


def test_a_body_over_one_mebibyte_is_a_413(serve: Serve, client: redis.Redis) -> None:
    event = person_event("p1", payload={"filler": "x" * (1024 * 1024)})
    reply = serve().send(event)
    assert reply.status == 413 and reply.body["error"] == "body too large"
    assert client.keys("*") == []


def test_a_redelivered_event_id_is_a_duplicate_and_changes_nothing(
    serve: Serve, client: redis.Redis
) -> None:
    clock = FakeClock()
    webhook = serve(clock=clock)
    event = person_event("p1", event_id="evt-42")
    assert webhook.send(event).status == 202
    clock.advance(60)  # the first entry was flushed meanwhile: the redelivery must not re-add it
    client.delete(constants.LIVE_PENDING)
    reply = webhook.send(event)
    assert (reply.status, reply.body) == (200, {"status": "duplicate"})
    assert pending(client) == {}
    assert 0 < client.ttl(constants.webhook_seen_key("evt-42")) <= 7 * 86_400


def test_a_job_event_without_a_person_is_queued_for_its_job(
    serve: Serve, client: redis.Redis
) -> None:
    event = {"id": "e2", "code": "job.update", "entityType": "JOB", "entityId": "j1"}
    status, body = post_raw(serve(), json.dumps(event).encode())
    assert (status, body["target"]) == (202, "job:j1")
    assert list(pending(client)) == ["job:j1"]


def test_a_person_entity_without_person_id_is_queued_for_that_person(
    serve: Serve, client: redis.Redis
) -> None:
    event = {"code": "person.update", "entityType": "PERSON", "entityId": "p9"}
    status, _ = post_raw(serve(), json.dumps(event).encode())
    assert status == 202 and list(pending(client)) == ["person:p9"]


def test_with_live_sync_off_events_are_accepted_and_dropped(
    serve: Serve, client: redis.Redis
) -> None:
    reply = serve(live_sync=False).send(person_event("p1", event_id="evt-1"))
    assert reply.status == 202 and reply.body["status"] == "dropped"
    assert client.keys("*") == []


def test_wrong_paths_and_methods_are_json_404_and_405(serve: Serve) -> None:
    webhook = serve()
    missing = webhook.request("POST", "/webhooks/other", b"{}")
    wrong_method = webhook.request("GET", "/webhooks/charthop")
    assert missing.status == 404 and missing.body["error"] == "not found"
    assert wrong_method.status == 405 and wrong_method.headers["Allow"] == "POST"
    assert wrong_method.body["error"] == "method not allowed"


def test_no_admin_action_is_reachable(serve: Serve) -> None:
    webhook = serve()
    for path in ("/runs", "/approve", "/admin", "/webhooks/charthop/approve"):
        assert webhook.request("POST", path, b"{}").status == 404


def test_health_and_readiness_answer_while_redis_is_up(serve: Serve) -> None:
    webhook = serve()
    assert webhook.request("GET", "/healthz").status == 200
    assert webhook.request("GET", "/readyz").body == {"status": "ready"}


def test_the_receiver_will_not_start_without_a_webhook_secret(redis_url: str) -> None:
    with pytest.raises(ConfigError, match="HOPSYNC_WEBHOOK_SECRET"):
        create_app(loaded_config(redis_url, secret=None))


def test_an_event_from_the_fake_charthop_state_is_accepted(
    serve: Serve, client: redis.Redis
) -> None:
    event = make_event("change.create.hire", "p5", ["startDate"], job_id="j5")
    assert serve().send(event).status == 202
    assert list(pending(client)) == ["person:p5"]


def test_a_chunked_body_over_one_mebibyte_is_a_413(serve: Serve, client: redis.Redis) -> None:
    webhook = serve()
    connection = http.client.HTTPConnection(webhook.host, webhook.port, timeout=10)
    chunks = [b'{"personId": "p1", "filler": "'] + [b"x" * 65_536] * 17 + [b'"}']
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}"}
    try:
        connection.request("POST", WEBHOOK_PATH, body=iter(chunks), headers=headers)
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"] == "body too large"
    finally:
        connection.close()
    assert client.keys("*") == []


def test_every_answer_is_counted_by_status_for_prometheus() -> None:
    from producers.webhook.app import count_requests
    from shared.infra.metrics import metrics

    counter = metrics().webhook_requests.labels(status="418")
    before = counter._value.get()

    async def teapot(request: object) -> web.Response:
        return web.Response(status=418)

    import asyncio

    answer = asyncio.run(count_requests(None, teapot))  # type: ignore[arg-type]
    assert answer.status == 418
    assert counter._value.get() == before + 1
