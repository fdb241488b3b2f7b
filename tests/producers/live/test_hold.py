"""When a storm's hold is lifted: an Okta window about to lapse with budget unspent."""

from __future__ import annotations

import pytest

from producers.live.hold import LIFT_LEAD_S, BucketWindow, Lift, storm_lift

NOW = 1_800_000_030.0
HOLD = NOW + 12  # a storm holds the flusher for 12 s more


def window(
    ends_in: float, remaining: int, limit: int = 600, period: float | None = None
) -> BucketWindow:
    return BucketWindow(limit=limit, remaining=remaining, reset=NOW + ends_in, period=period)


def test_a_window_ending_within_the_lead_with_budget_left_lifts_the_hold_for_that_budget() -> None:
    windows = [window(2, 900, limit=1000), window(2, 450), window(2, 300)]
    assert storm_lift(HOLD, windows, NOW, share=1.0) == Lift(
        window_end=NOW + 2, budget=300, seconds_left=2.0
    )


def test_a_window_ending_after_the_lead_keeps_the_hold() -> None:
    assert storm_lift(HOLD, [window(LIFT_LEAD_S + 1, 600)], NOW, share=1.0) is None
    assert storm_lift(HOLD, [window(LIFT_LEAD_S, 600)], NOW, share=1.0) is not None


def test_a_spent_bucket_keeps_the_hold_since_every_sync_needs_it() -> None:
    assert storm_lift(HOLD, [window(2, 500), window(2, 0)], NOW, share=1.0) is None


def test_only_hopsyncs_share_of_the_budget_counts() -> None:
    # share 0.5 of 600: 300 are others'; 320 left means 20 for hopsync, 250 left means none
    assert storm_lift(HOLD, [window(2, 320)], NOW, share=0.5) == Lift(NOW + 2, 20, 2.0)
    assert storm_lift(HOLD, [window(2, 250)], NOW, share=0.5) is None


def test_without_a_hold_or_after_it_there_is_nothing_to_lift() -> None:
    assert storm_lift(None, [window(2, 600)], NOW, share=1.0) is None
    assert storm_lift(NOW, [window(2, 600)], NOW, share=1.0) is None


def test_with_no_window_known_the_hold_stands() -> None:
    assert storm_lift(HOLD, [BucketWindow(), BucketWindow()], NOW, share=1.0) is None


@pytest.mark.parametrize(
    ("ended_ago", "period", "ends_in"),
    [
        (58.0, None, 2.0),  # seen once: Okta's minute
        (118.0, None, 2.0),  # two minutes on
        (28.0, 30.0, 2.0),  # the shortest time seen between resets
        (0.0, 3.0, 3.0),  # ended just now: the next window is a whole one
    ],
)
def test_a_window_that_ended_is_projected_by_its_period_with_a_fresh_budget(
    ended_ago: float, period: float | None, ends_in: float
) -> None:
    stale = window(-ended_ago, 0, period=period)
    assert storm_lift(HOLD, [stale], NOW, share=1.0) == Lift(NOW + ends_in, 600, ends_in)


def test_the_earliest_window_to_lapse_decides_and_the_smallest_budget_bounds() -> None:
    windows = [window(1, 100), window(-59, 0, limit=1000)]  # the second's next ends in 1 s too
    assert storm_lift(HOLD, windows, NOW, share=1.0) == Lift(NOW + 1, 100, 1.0)


def test_the_rate_limiters_hash_fields_are_read_as_it_writes_them() -> None:
    parsed = BucketWindow.parse([b"600", b"12", b"1800000060", None, b"-4.5"])
    assert parsed == BucketWindow(
        limit=600, remaining=12, reset=1_800_000_060.0, period=None, skew=-4.5
    )
    assert BucketWindow.parse([None, None, None, None, None]) == BucketWindow()
    assert BucketWindow.parse([b"600", b"x", b"1800000060", b"0", None]).period is None


@pytest.mark.parametrize("skew", [-20.0, -2.5, 0.0, 2.5, 20.0])
def test_a_window_ends_by_oktas_clock_whatever_the_local_clock_says(skew: float) -> None:
    # Okta's clock reads NOW + skew when ours reads NOW; its window ends 2 s later by Okta's clock.
    ends_at = NOW + skew + 2
    window = BucketWindow(limit=600, remaining=600, reset=ends_at, skew=skew)
    assert storm_lift(HOLD, [window], NOW, share=1.0) == Lift(ends_at, 600, 2.0)
    early = BucketWindow(limit=600, remaining=600, reset=ends_at + LIFT_LEAD_S, skew=skew)
    assert storm_lift(HOLD, [early], NOW, share=1.0) is None  # 5 s left by Okta's clock
