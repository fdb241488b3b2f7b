"""The client draws each request from the bucket the fake Okta, modelled on the reference, counts.

The two classifications are written apart (shared/okta/buckets.py and sim/okta/buckets.py): a
request the client files under the wrong budget would spend one the fake does not refill.
"""

from __future__ import annotations

import pytest

from shared.okta.buckets import DEFAULT_LIMITS, bucket_for
from shared.okta.headers import LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER
from sim.okta import buckets as fake

# Every call of the reference's Users, lifecycle and Groups tables, with ids filled in.
REFERENCE_CALLS = [
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/00u1"),
    ("GET", "/api/v1/users/ada@example.com"),
    ("POST", "/api/v1/users/00u1"),
    ("PUT", "/api/v1/users/00u1"),
    ("DELETE", "/api/v1/users/00u1"),
    ("POST", "/api/v1/users/00u1/lifecycle/activate"),
    ("POST", "/api/v1/users/00u1/lifecycle/deactivate"),
    ("POST", "/api/v1/users/00u1/lifecycle/suspend"),
    ("GET", "/api/v1/users/00u1/groups"),
    ("GET", "/api/v1/meta/schemas/user/default"),
    ("GET", "/api/v1/groups"),
    ("POST", "/api/v1/groups"),
    ("GET", "/api/v1/groups/00g1"),
    ("GET", "/api/v1/groups/00g1/users"),
    ("PUT", "/api/v1/groups/00g1/users/00u1"),
    ("DELETE", "/api/v1/groups/00g1/users/00u1"),
    ("GET", "/api/v1/apps"),
    ("PATCH", "/api/v1/users"),
    ("GET", "/api/v1/users/"),
]


@pytest.mark.parametrize(("method", "path"), REFERENCE_CALLS)
def test_the_client_and_the_fake_file_a_call_under_the_same_bucket(method: str, path: str) -> None:
    assert bucket_for(method, path) == fake.bucket_of(method, path)


def test_the_clients_default_limits_are_the_fakes() -> None:
    assert DEFAULT_LIMITS == fake.BUCKET_LIMITS


def test_the_client_reads_the_headers_the_fake_sends() -> None:
    assert (LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER) == (
        fake.LIMIT_HEADER,
        fake.REMAINING_HEADER,
        fake.RESET_HEADER,
    )
