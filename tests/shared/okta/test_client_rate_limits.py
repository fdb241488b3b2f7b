"""The client's answers to Okta's two kinds of 429, and its own limiter keeping clear of them."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.errors import OktaRateLimitError
from shared.okta import NoopRateLimiter, OktaClient
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, with_client


def test_a_per_minute_429_waits_for_the_window_reset(serve_okta: ServeOkta) -> None:
    state = fake_okta(window_s=1, limits={"user-get": 3})
    user = state.add_user({"login": "ada@example.com", "email": "ada@example.com"})
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> None:
        for _ in range(5):
            await client.get_user(user.id)

    with_client(server, scenario, limiter=NoopRateLimiter())
    log = state.counters().log
    refused = [r for r in log if r.status == 429]
    assert refused, "the test needs at least one per-minute 429"
    for record in refused:
        retry = next(r for r in log if r.at > record.at)
        window_end = int(record.at) + 1  # window_s=1: windows end on whole seconds
        assert retry.at >= window_end, "retried before the window reset"
        # Date headers have whole-second resolution, so the client may wait up to ~1 s more.
        assert retry.at - window_end < 1.5
    assert [r.status for r in log].count(200) == 5


def test_a_concurrency_429_backs_off_briefly_and_never_waits_for_its_reset(
    serve_okta: ServeOkta,
) -> None:
    state = fake_okta()  # a concurrency 429's Reset lies 60 s ahead
    user = state.add_user({"login": "ada@example.com", "email": "ada@example.com"})
    state.start_storm("concurrency", requests=3)
    server = serve_okta(state)
    started = time.monotonic()

    with_client(
        server,
        lambda client: client.get_user(user.id),
        limiter=NoopRateLimiter(),
        backoff_base_s=0.2,
        backoff_max_s=2,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"waited {elapsed:.2f}s: a concurrency 429 must not wait for Reset"
    assert state.counters().rate_limited == {"concurrency": 3}


def test_the_client_counts_429s_and_retries_by_kind(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    user = state.add_user({"login": "ada@example.com", "email": "ada@example.com"})
    state.start_storm("concurrency", requests=2)
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> OktaClient:
        await client.get_user(user.id)
        return client

    client = with_client(server, scenario, limiter=NoopRateLimiter())
    assert client.counters.rate_limited == {"concurrency": 2}
    assert client.counters.retries == {"concurrency": 2}
    assert client.counters.calls == {("user-get", 429): 2, ("user-get", 200): 1}


def test_429s_beyond_the_retries_raise_a_rate_limit_error(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    state.start_storm("concurrency", requests=10)
    server = serve_okta(state)
    with pytest.raises(OktaRateLimitError, match="E0000047"):
        with_client(server, lambda c: c.get_user("00u1"), limiter=NoopRateLimiter(), max_retries=2)
    assert state.counters().rate_limited == {"concurrency": 3}


def test_the_default_in_process_limiter_keeps_within_the_window(serve_okta: ServeOkta) -> None:
    state = fake_okta(window_s=1, limits={"user-update": 20})
    users = [
        state.add_user({"login": f"u{i}@example.com", "email": f"u{i}@example.com"})
        for i in range(45)
    ]
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> None:
        await asyncio.gather(*(client.update_profile(u.id, {"title": "Engineer"}) for u in users))

    with_client(server, scenario)
    counters = state.counters()
    assert counters.rate_limited == {}
    assert 15 <= max(counters.window_counts["user-update"].values()) <= 20  # full use, never over
    assert sum(counters.window_counts["user-update"].values()) == 45
