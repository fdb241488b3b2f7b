"""Worker presence and the fleet's Okta waits, as commands read them from Redis."""

from __future__ import annotations

import time
from datetime import datetime

import redis

from shared import constants
from shared.infra.presence import Presence, waiting_reason


def test_a_beating_worker_is_alive_and_one_that_left_is_not(client: redis.Redis) -> None:
    presence = Presence(client)
    assert presence.alive() == 0
    presence.beat("host:1")
    presence.beat("host:2")
    assert presence.alive() == 2
    presence.leave("host:1")
    assert presence.alive() == 1


def test_a_worker_that_stopped_beating_is_not_alive(client: redis.Redis) -> None:
    presence = Presence(client)
    client.zadd(constants.WORKERS_KEY, {"host:9": time.time() - 60})
    assert presence.alive() == 0
    assert presence.alive(within_s=120) == 1


def test_the_reason_names_the_bucket_in_words_and_the_time_it_ends() -> None:
    now = 1_800_000_000.0
    until = now + 42
    reason = waiting_reason({"user-update": until, "groups": now - 1}, now)
    clock = datetime.fromtimestamp(until).strftime("%H:%M:%S")
    assert reason == f"waiting for Okta's rate limit (user writes) until {clock}"
    assert waiting_reason({}, now) == ""


def test_published_waits_are_read_back_per_bucket(client: redis.Redis) -> None:
    client.set(constants.okta_wait_key("user-update"), repr(1_800_000_000.5), ex=60)
    assert Presence(client).okta_waits() == {"user-update": 1_800_000_000.5}
