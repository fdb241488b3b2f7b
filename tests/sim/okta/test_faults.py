"""The fake Okta's fault knobs: forced and random 5xx, latency, answers lost after a create."""

from __future__ import annotations

import time

import aiohttp
import pytest

from tests.contract.fixtures import ServeOkta
from tests.sim.okta.support import call, fake, user_profile


def test_forced_server_errors_are_answered_without_applying_the_request(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    state.fail_next(2, status=503)
    server = serve_okta(state)
    body = {"profile": user_profile("ada")}
    replies = [call(server, "POST", "/api/v1/users", body) for _ in range(3)]
    assert [(r.status, r.error_code) for r in replies[:2]] == [(503, "E0000009")] * 2
    assert replies[2].status == 200
    assert list(state.users_by_login()) == ["ada@example.com"]


def test_the_random_error_rate_is_repeatable_for_a_seed(serve_okta: ServeOkta) -> None:
    runs = []
    for _ in range(2):
        state = fake(seed=7)
        state.set_error_rate(0.5)
        server = serve_okta(state)
        runs.append([call(server, "GET", "/api/v1/users").status for _ in range(30)])
    assert runs[0] == runs[1]
    assert 5 <= runs[0].count(500) <= 25


def test_latency_delays_every_answer(serve_okta: ServeOkta) -> None:
    state = fake()
    state.set_latency(0.2)
    server = serve_okta(state)
    started = time.monotonic()
    call(server, "GET", "/api/v1/users")
    assert time.monotonic() - started >= 0.2


def test_a_dropped_create_answer_still_creates_the_user(serve_okta: ServeOkta) -> None:
    state = fake()
    state.drop_create_answers(1)
    server = serve_okta(state)
    with pytest.raises(aiohttp.ClientConnectionError):
        call(server, "POST", "/api/v1/users", {"profile": user_profile("ada")})
    assert list(state.users_by_login()) == ["ada@example.com"]
    assert state.counters().users_created == 1
