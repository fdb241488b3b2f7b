"""Okta's response headers are read: the rate-limit trio, Link pagination and Date."""

from __future__ import annotations

from multidict import CIMultiDict

from shared.okta import RateLimitReading, next_link, read_rate_limit
from shared.okta.headers import server_date


def test_a_reading_holds_limit_remaining_and_reset() -> None:
    headers = {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "12",
               "X-Rate-Limit-Reset": "1700000060"}  # fmt: skip
    reading = read_rate_limit(CIMultiDict(headers))
    assert reading == RateLimitReading(600, 12, 1_700_000_060.0)
    assert reading is not None and not reading.is_concurrency


def test_a_zero_limit_marks_a_concurrency_reading() -> None:
    headers = {"X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0",
               "X-Rate-Limit-Reset": "1700000060"}  # fmt: skip
    reading = read_rate_limit(headers)
    assert reading is not None and reading.is_concurrency


def test_missing_or_garbled_headers_give_no_reading() -> None:
    assert read_rate_limit({}) is None
    garbled = {"X-Rate-Limit-Limit": "lots", "X-Rate-Limit-Remaining": "1",
               "X-Rate-Limit-Reset": "1"}  # fmt: skip
    assert read_rate_limit(garbled) is None


def test_the_next_link_is_taken_verbatim_from_separate_or_joined_headers() -> None:
    cursor = "https://acme.okta.com/api/v1/users?after=00u%3D%3D&limit=200"
    separate = ['<https://acme.okta.com/api/v1/users?limit=200>; rel="self"',
                f'<{cursor}>; rel="next"']  # fmt: skip
    joined = [", ".join(separate)]
    assert next_link(separate) == cursor
    assert next_link(joined) == cursor
    assert next_link(separate[:1]) is None


def test_the_date_header_is_read_as_epoch_seconds() -> None:
    assert server_date({"Date": "Tue, 14 Nov 2023 22:13:20 GMT"}) == 1_700_000_000.0
    assert server_date({"Date": "yesterday"}) is None
