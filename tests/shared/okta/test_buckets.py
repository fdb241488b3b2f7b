"""Requests are sorted into Okta's rate-limit buckets by method and path."""

from __future__ import annotations

import pytest

from shared.okta import bucket_for


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/v1/users", "users-list-create"),
        ("POST", "/api/v1/users", "users-list-create"),
        ("GET", "/api/v1/users/00u1", "user-get"),
        ("GET", "/api/v1/users/ada%40example.com", "user-get"),
        ("POST", "/api/v1/users/00u1", "user-update"),
        ("PUT", "/api/v1/users/00u1", "user-update"),
        ("POST", "/api/v1/users/00u1/lifecycle/activate", "user-lifecycle"),
        ("GET", "/api/v1/users/00u1/groups", "user-groups"),
        ("GET", "/api/v1/groups", "groups"),
        ("POST", "/api/v1/groups", "groups"),
        ("GET", "/api/v1/groups/00g1", "groups"),
        ("GET", "/api/v1/groups/00g1/users", "group-members"),
        ("PUT", "/api/v1/groups/00g1/users/00u1", "group-members"),
        ("DELETE", "/api/v1/groups/00g1/users/00u1", "group-members"),
        ("GET", "/api/v1/apps", "other"),
        ("PATCH", "/api/v1/users", "other"),
    ],
)
def test_a_request_draws_from_its_endpoint_bucket(method: str, path: str, bucket: str) -> None:
    assert bucket_for(method, path) == bucket
