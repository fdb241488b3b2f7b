"""The fake Okta's rate limits: headers on every answer, per-window budgets, concurrency, storms."""

from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from tests.contract.fixtures import ServeOkta
from tests.sim.okta.support import Call, call, fake, send_all, user_profile


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def rate(headers: Mapping[str, str]) -> tuple[int, int, int]:
    """(Limit, Remaining, Reset) of an answer."""
    return (
        int(headers["X-Rate-Limit-Limit"]),
        int(headers["X-Rate-Limit-Remaining"]),
        int(headers["X-Rate-Limit-Reset"]),
    )


def test_every_answer_reports_its_buckets_budget(serve_okta: ServeOkta) -> None:
    clock = ManualClock(1_000_030.5)
    state = fake(clock=clock, limits={"users-list-create": 5, "user-get": 7})
    server = serve_okta(state)
    readings = [rate(call(server, "GET", "/api/v1/users").headers) for _ in range(3)]
    missing = call(server, "GET", "/api/v1/users/00unope")
    assert readings == [(5, 4, 1_000_080), (5, 3, 1_000_080), (5, 2, 1_000_080)]
    assert missing.status == 404
    assert rate(missing.headers) == (7, 6, 1_000_080)


def test_a_spent_window_answers_per_minute_429s_until_it_resets(serve_okta: ServeOkta) -> None:
    clock = ManualClock(1_999_985.0)  # 15 s into the window of 1_999_980 (a multiple of 60)
    state = fake(clock=clock, window_s=60, limits={"users-list-create": 2})
    server = serve_okta(state)
    statuses = [call(server, "GET", "/api/v1/users").status for _ in range(2)]
    refused = call(server, "GET", "/api/v1/users")
    clock.now += 60
    after_reset = call(server, "GET", "/api/v1/users")
    assert statuses == [200, 200]
    assert (refused.status, refused.error_code) == (429, "E0000047")
    assert rate(refused.headers) == (2, 0, 2_000_040)
    assert (after_reset.status, rate(after_reset.headers)) == (200, (2, 1, 2_000_100))
    counters = state.counters()
    assert counters.rate_limited == {"per_minute": 1}
    assert counters.window_counts["users-list-create"] == {1_999_980.0: 2, 2_000_040.0: 1}


def test_too_many_requests_in_flight_answer_concurrency_429s(serve_okta: ServeOkta) -> None:
    state = fake(concurrency_limit=2)
    state.set_latency(0.3)
    server = serve_okta(state)
    before = time.time()
    replies = send_all(server, [Call("GET", "/api/v1/users") for _ in range(5)])
    refused = [r for r in replies if r.status == 429]
    assert sum(r.status == 200 for r in replies) == 2
    assert len(refused) == 3
    for reply in refused:
        limit, remaining, reset = rate(reply.headers)
        assert (limit, remaining, reply.error_code) == (0, 0, "E0000047")
        assert reset >= before + 50  # only an estimate, far away: clients must not wait for it
    counters = state.counters()
    assert counters.rate_limited == {"concurrency": 3}
    assert counters.max_in_flight >= 3


def test_a_per_minute_storm_refuses_the_next_requests_then_ends(serve_okta: ServeOkta) -> None:
    state = fake()
    state.start_storm("per_minute", requests=2)
    server = serve_okta(state)
    replies = [call(server, "GET", "/api/v1/users") for _ in range(3)]
    assert [r.status for r in replies] == [429, 429, 200]
    assert rate(replies[0].headers)[:2] == (600, 0)


def test_a_timed_concurrency_storm_refuses_until_it_ends(serve_okta: ServeOkta) -> None:
    state = fake()
    state.start_storm("concurrency", seconds=0.3)
    server = serve_okta(state)
    during = call(server, "GET", "/api/v1/users")
    time.sleep(0.35)
    after = call(server, "GET", "/api/v1/users")
    assert (during.status, rate(during.headers)[:2]) == (429, (0, 0))
    assert after.status == 200


def test_a_storm_needs_an_end() -> None:
    with pytest.raises(ValueError, match="never end"):
        fake().start_storm("per_minute")


def test_counters_count_calls_writes_and_reset(serve_okta: ServeOkta) -> None:
    state = fake()
    group = state.add_group("Engineering")
    server = serve_okta(state)
    created = call(server, "POST", "/api/v1/users", {"profile": user_profile("ada")})
    call(server, "PUT", f"/api/v1/groups/{group.id}/users/{created.body['id']}")
    call(server, "GET", f"/api/v1/users/{created.body['id']}")
    counters = state.counters()
    assert counters.calls == {
        ("users-list-create", "POST"): 1,
        ("group-members", "PUT"): 1,
        ("user-get", "GET"): 1,
    }
    assert (counters.writes, counters.users_created) == (2, 1)
    assert [record.status for record in counters.log] == [200, 204, 200]
    state.reset_counters()
    assert state.counters().calls == {}
