"""The fake Okta's buckets and limits follow the reference's rate-limit section."""

from __future__ import annotations

import pytest

from sim.okta.buckets import BUCKET_LIMITS, bucket_of

# /work/shared/reference/okta-api.md: "list/create users 600; get one user 1,000; update/delete
# one user 600; groups 600; most others 600".
REFERENCE_LIMITS = [
    ("GET", "/api/v1/users", 600),
    ("POST", "/api/v1/users", 600),
    ("GET", "/api/v1/users/00u1", 1000),
    ("POST", "/api/v1/users/00u1", 600),
    ("DELETE", "/api/v1/users/00u1", 600),
    ("GET", "/api/v1/groups", 600),
    ("POST", "/api/v1/groups", 600),
    ("GET", "/api/v1/meta/schemas/user/default", 600),
]


@pytest.mark.parametrize(("method", "path", "limit"), REFERENCE_LIMITS)
def test_a_reference_call_gets_the_references_per_minute_limit(
    method: str, path: str, limit: int
) -> None:
    assert BUCKET_LIMITS[bucket_of(method, path)] == limit


def test_listing_and_fetching_users_draw_from_different_buckets() -> None:
    assert bucket_of("GET", "/api/v1/users") != bucket_of("GET", "/api/v1/users/00u1")


def test_fetching_and_updating_a_user_draw_from_different_buckets() -> None:
    assert bucket_of("GET", "/api/v1/users/00u1") != bucket_of("POST", "/api/v1/users/00u1")


def test_a_path_outside_the_api_is_other() -> None:
    assert bucket_of("GET", "/oauth2/v1/token") == "other"
