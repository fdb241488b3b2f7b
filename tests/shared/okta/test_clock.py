"""Okta's clock is inferred from Date headers, conservatively."""

from __future__ import annotations

from shared.okta import OktaClock


class Local:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_without_dates_okta_time_is_local_time() -> None:
    clock = OktaClock(Local(100.0))
    assert clock.now() == 100.0
    assert clock.skew_bounds == (0.0, 0.0)


def test_dates_narrow_the_skew_to_within_the_header_resolution() -> None:
    local = Local(0.0)
    clock = OktaClock(local)
    # Okta runs 10.3 s ahead; Date truncates to whole seconds.
    for sent in (1000.0, 1000.45, 1000.8, 1001.2, 1001.69):
        okta_time = sent + 10.3
        clock.observe(float(int(okta_time)), sent, sent + 0.01)
    low, high = clock.skew_bounds
    assert low <= 10.3 <= high
    assert high - low < 0.3
    local.now = 2000.0
    assert 2000.0 + 10.0 < clock.now() <= 2010.3


def test_the_clock_never_reads_ahead_of_okta() -> None:
    local = Local(0.0)
    clock = OktaClock(local)
    clock.observe(500.0, 499.9, 500.2)  # same clock as Okta's, Date truncated
    local.now = 600.0
    assert clock.now() <= 600.0
    assert clock.seconds_until(600.0) >= 0.0


def test_a_clock_jump_restarts_the_bounds() -> None:
    clock = OktaClock(Local(0.0))
    clock.observe(100.0, 99.5, 99.6)
    clock.observe(5000.0, 100.0, 100.1)  # inconsistent with the first: forget it
    low, high = clock.skew_bounds
    assert low <= 4900.0 <= high
