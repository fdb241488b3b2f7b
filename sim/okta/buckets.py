"""How the fake Okta sorts requests into rate-limit buckets: its own model of Okta's reference.

The fake never asks hopsync's client which bucket a request draws from (shared/okta/buckets.py):
it classifies from the reference (/work/shared/reference/okta-api.md, "Rate limits"), so that
tests/contract/test_buckets.py, comparing the two, fails when the client gets a bucket wrong.

The reference's per-minute buckets (Enterprise): list/create users 600; get one user 1,000;
update/delete one user 600; groups 600; most others 600. It is silent on lifecycle operations,
a user's groups and group memberships: the fake counts each in a bucket of its own at the "most
others" limit, as hopsync has always modelled them (an assumption, not a fact from the reference).
Bucket names are hopsync's, shared with the client so that counters read alike.
"""

from __future__ import annotations

from typing import Final

# The reference's response headers ("Every response carries ...").
LIMIT_HEADER: Final = "X-Rate-Limit-Limit"
REMAINING_HEADER: Final = "X-Rate-Limit-Remaining"
RESET_HEADER: Final = "X-Rate-Limit-Reset"

OTHER: Final = "other"
BUCKET_LIMITS: Final[dict[str, int]] = {
    "users-list-create": 600,  # list/create users
    "user-get": 1000,  # get one user
    "user-update": 600,  # update/delete one user
    "groups": 600,  # groups
    "user-lifecycle": 600,  # not in the reference: "most others"
    "user-groups": 600,  # not in the reference: "most others"
    "group-members": 600,  # not in the reference: "most others"
    OTHER: 600,  # most others
}
ALL_BUCKETS: Final = tuple(BUCKET_LIMITS)


def bucket_of(method: str, path: str) -> str:
    """The bucket a request (method and URL path, no query string) draws from."""
    segments = path.strip("/").split("/")
    if segments[:2] != ["api", "v1"]:
        return OTHER
    match [method.upper(), *segments[2:]]:
        case ["GET" | "POST", "users"]:
            return "users-list-create"
        case ["GET", "users", _]:
            return "user-get"
        case ["POST" | "PUT" | "DELETE", "users", _]:
            return "user-update"
        case ["POST", "users", _, "lifecycle", _]:
            return "user-lifecycle"
        case ["GET", "users", _, "groups"]:
            return "user-groups"
        case ["GET" | "POST", "groups"] | ["GET" | "PUT" | "DELETE", "groups", _]:
            return "groups"
        case ["GET", "groups", _, "users"] | ["PUT" | "DELETE", "groups", _, "users", _]:
            return "group-members"
    return OTHER
