"""The limiter's arithmetic: probes, the share of each window, in-flight requests, readings."""

from __future__ import annotations

import pytest

from shared.okta import BucketWindow, Policy, RateLimitReading, decide, observe, reserve
from shared.okta.budget import HELD_RECHECK_S
from shared.okta.ratelimit import PARK_MIN_WAIT_S

NOW = 1_000.0
WINDOW = BucketWindow(limit=100, remaining=40, reset=1_030.0)


@pytest.mark.parametrize(
    ("limit", "share", "reserved"), [(100, 1.0, 0), (100, 0.5, 50), (600, 0.29, 426), (7, 0.5, 4)]
)
def test_the_reserve_is_what_the_share_leaves_to_others(
    limit: int, share: float, reserved: int
) -> None:
    assert reserve(limit, share) == reserved


def test_before_any_headers_only_the_probe_budget_goes() -> None:
    policy = Policy(share=1.0, max_in_flight=20, probe_budget=3)
    assert decide(None, 2, 2, NOW, policy).admitted
    refused = decide(None, 3, 3, NOW, policy)
    assert (refused.reason, refused.wait_s > 0) == ("probe", True)


def test_a_finished_window_is_unknown_again() -> None:
    policy = Policy(probe_budget=1)
    assert decide(WINDOW, 1, 1, 1_030.0, policy).reason == "probe"


def test_requests_in_flight_count_against_what_remains() -> None:
    policy = Policy(share=1.0, max_in_flight=75)
    assert decide(WINDOW, 39, 39, NOW, policy).admitted
    assert decide(WINDOW, 40, 40, NOW, policy).reason == "budget"


def test_a_window_spent_by_okta_s_count_waits_until_its_reset() -> None:
    spent = BucketWindow(limit=100, remaining=0, reset=1_030.0)
    decision = decide(spent, 0, 0, NOW, Policy(share=1.0, max_in_flight=75))
    assert (decision.reason, decision.wait_s) == ("budget", 30.0)


def test_a_window_held_only_by_places_in_flight_is_asked_again_soon_not_at_its_reset() -> None:
    # The 40 places in flight may come back unused (a leased place no request took, a request
    # that failed before Okta counted it): waiting for the reset would lose them for the window.
    decision = decide(WINDOW, 40, 40, NOW, Policy(share=1.0, max_in_flight=75))
    assert (decision.reason, decision.wait_s) == ("budget", HELD_RECHECK_S)
    late = decide(WINDOW, 40, 40, 1_029.9, Policy(share=1.0, max_in_flight=75))
    assert late.wait_s == pytest.approx(0.1)  # never past the reset
    # ... and it is slept through by the waiting request, never parked for a window
    assert HELD_RECHECK_S < PARK_MIN_WAIT_S


def test_the_share_keeps_the_reserve_for_other_integrations() -> None:
    policy = Policy(share=0.7, max_in_flight=75)  # reserve 30 of 100
    assert decide(WINDOW, 9, 9, NOW, policy).admitted
    assert decide(WINDOW, 10, 10, NOW, policy).reason == "budget"


def test_the_fleet_cap_on_requests_in_flight_comes_first() -> None:
    assert decide(WINDOW, 0, 20, NOW, Policy(max_in_flight=20)).reason == "concurrency"


def test_readings_keep_the_lowest_remaining_of_a_window_and_follow_new_windows() -> None:
    window = observe(None, RateLimitReading(100, 60, 1_030.0))
    window = observe(window, RateLimitReading(100, 55, 1_030.0))
    window = observe(window, RateLimitReading(100, 58, 1_030.0))  # answered out of order
    assert window == BucketWindow(100, 55, 1_030.0)
    assert observe(window, RateLimitReading(100, 90, 1_000.0)) == window  # a late answer
    assert observe(window, RateLimitReading(100, 99, 1_090.0)) == BucketWindow(100, 99, 1_090.0)
    assert observe(window, RateLimitReading(0, 0, 1_090.0)) == window  # concurrency 429
