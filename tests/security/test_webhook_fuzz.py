"""Fuzz the webhook receiver: any body, credential, signature and header; never a 5xx.

Only an authenticated, signed (or unsigned) event naming a person or job may write to Redis;
everything else must leave the live keys empty.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from producers.webhook import MAX_BODY_BYTES, SIGNATURE_HEADER, WEBHOOK_PATH
from sim.charthop import event_body, make_event
from tests.producers.live.support import SECRET
from tests.security.conftest import RawClient, live_keys

HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=60,
)
IDS = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.-]{1,24}", fullmatch=True),
    st.text(max_size=30),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
CODES = st.one_of(
    st.sampled_from(["change.update.data", "person.update", "job.create", "org.update", ""]),
    st.text(max_size=30),
    st.integers(),
    st.none(),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
EVENTS = st.fixed_dictionaries(
    {},
    optional={
        "id": IDS,
        "code": CODES,
        "personId": IDS,
        "entityType": st.sampled_from(["PERSON", "JOB", "CHANGE", "person", ""]) | HEADER_TEXT,
        "entityId": IDS,
        "jobId": IDS,
        "payload": JSON_VALUES,
    },
)
BODIES = st.one_of(
    st.binary(max_size=600),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    EVENTS.map(lambda event: json.dumps(event).encode()),
    st.integers(1, 200_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 5000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
)
CREDENTIALS = st.sampled_from(
    ["good-header", "good-query", "wrong-header", "wrong-query", "none", "basic"]
) | HEADER_TEXT.map(lambda text: "raw:" + text)
SIGNATURES = st.sampled_from(["none", "good", "bad"]) | HEADER_TEXT.map(lambda t: "raw:" + t)
CONTENT_TYPES = st.sampled_from(["application/json", "text/plain", "", "multipart/form-data"])
GOOD_CREDENTIALS = ("good-header", "good-query")


def request(
    body: bytes, credential: str, signature: str, content_type: str
) -> tuple[str, dict[str, str]]:
    """The path and headers of one fuzzed request."""
    headers = {"Content-Type": content_type} if content_type else {}
    path = WEBHOOK_PATH
    if credential == "good-header":
        headers["Authorization"] = f"Bearer {SECRET}"
    elif credential == "good-query":
        path += "?token=" + quote(SECRET)
    elif credential == "wrong-header":
        headers["Authorization"] = f"Bearer {SECRET}x"
    elif credential == "wrong-query":
        path += "?token=" + quote(SECRET[:-1])
    elif credential == "basic":
        headers["Authorization"] = f"Basic {SECRET}"
    elif credential.startswith("raw:"):
        headers["Authorization"] = credential[4:]
    if signature == "good":
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = "sha256=" + digest
    elif signature == "bad":
        headers[SIGNATURE_HEADER] = "sha256=" + "0" * 64
    elif signature.startswith("raw:"):
        headers[SIGNATURE_HEADER] = signature[4:]
    return path, headers


def check(answer_status: int, answer_body: Any, written: list[str], authentic: bool) -> None:
    """The receiver's invariants for one request."""
    assert answer_status < 500, answer_body
    assert isinstance(answer_body, dict), "every answer is a JSON object"
    if not authentic:
        assert answer_status == 401, answer_body
        assert written == []
        return
    queued = answer_status in (200, 202) and answer_body.get("status") == "queued"
    assert bool(written) == queued, (answer_status, answer_body, written)


def test_no_body_credential_or_header_gets_a_5xx_or_writes_when_invalid(
    receiver: RawClient, store: redis.Redis
) -> None:
    @settings(max_examples=2500, deadline=None, database=None)
    @given(body=BODIES, credential=CREDENTIALS, signature=SIGNATURES, content_type=CONTENT_TYPES)
    def one(body: bytes, credential: str, signature: str, content_type: str) -> None:
        store.flushdb()
        path, headers = request(body, credential, signature, content_type)
        answer = receiver.send("POST", path, body, headers)
        authentic = credential in GOOD_CREDENTIALS and signature in ("none", "good")
        check(answer.status, answer.body, live_keys(store), authentic)

    one()


def test_a_valid_event_with_a_wrong_or_missing_secret_is_401_and_writes_nothing(
    receiver: RawClient, store: redis.Redis
) -> None:
    @settings(max_examples=1000, deadline=None, database=None)
    @given(
        person=st.from_regex(r"[A-Za-z0-9]{1,24}", fullmatch=True),
        credential=CREDENTIALS.filter(lambda c: c not in GOOD_CREDENTIALS),
        signature=SIGNATURES,
    )
    def one(person: str, credential: str, signature: str) -> None:
        store.flushdb()
        body = event_body(make_event("change.update.data", person, ["title"]))
        path, headers = request(body, credential, signature, "application/json")
        answer = receiver.send("POST", path, body, headers)
        assert answer.status == 401, answer.body
        assert SECRET not in json.dumps(answer.body)
        assert live_keys(store) == []

    one()


@pytest.mark.parametrize(
    "size", [MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES]
)
@pytest.mark.parametrize("credential", ["good-header", "wrong-header"])
def test_bodies_around_the_size_limit_are_never_a_5xx_and_never_written_when_too_large(
    receiver: RawClient, store: redis.Redis, size: int, credential: str
) -> None:
    event = make_event("change.update.data", "p1", ["title"])
    filler = size - len(event_body({**event, "payload": {"f": ""}}))
    body = event_body({**event, "payload": {"f": "x" * filler}})
    assert len(body) == size
    path, headers = request(body, credential, "good", "application/json")
    # a connection of its own, closed at once: the receiver answers 413 before reading the body
    one_shot = RawClient(f"http://{receiver.host}:{receiver.port}")
    try:
        answer = one_shot.send("POST", path, body, {**headers, "Connection": "close"})
    finally:
        one_shot.close()
    written = live_keys(store)
    if size > MAX_BODY_BYTES:
        assert (answer.status, written) == (413, [])
    else:
        check(answer.status, answer.body, written, credential == "good-header")
        assert answer.status == (202 if credential == "good-header" else 401)
