"""Okta's rate-limit buckets: which per-minute budget a request (method + path) draws from.

Okta counts requests per endpoint family, not per org: listing users and fetching one user draw
from different budgets. The names below are hopsync's; the split follows Okta's rate-limit page.
"""

from __future__ import annotations

import re
from typing import Final

USERS_LIST_CREATE: Final = "users-list-create"  # GET/POST /api/v1/users
USER_GET: Final = "user-get"  # GET /api/v1/users/{idOrLogin}
USER_UPDATE: Final = "user-update"  # POST/PUT/DELETE /api/v1/users/{id}
USER_LIFECYCLE: Final = "user-lifecycle"  # POST /api/v1/users/{id}/lifecycle/*
USER_GROUPS: Final = "user-groups"  # GET /api/v1/users/{id}/groups
GROUPS: Final = "groups"  # /api/v1/groups and /api/v1/groups/{groupId}
GROUP_MEMBERS: Final = "group-members"  # /api/v1/groups/{groupId}/users[/{userId}]
OTHER: Final = "other"  # anything else

ALL_BUCKETS: Final = (
    USERS_LIST_CREATE,
    USER_GET,
    USER_UPDATE,
    USER_LIFECYCLE,
    USER_GROUPS,
    GROUPS,
    GROUP_MEMBERS,
    OTHER,
)

# Enterprise defaults from Okta's rate-limit page; real orgs differ, so the headers win.
DEFAULT_LIMITS: Final[dict[str, int]] = {
    USERS_LIST_CREATE: 600,
    USER_GET: 1000,
    USER_UPDATE: 600,
    USER_LIFECYCLE: 600,
    USER_GROUPS: 600,
    GROUPS: 600,
    GROUP_MEMBERS: 600,
    OTHER: 600,
}

_SEGMENT = r"[^/]+"
_RULES: Final[tuple[tuple[re.Pattern[str], dict[str, str]], ...]] = (
    (re.compile(r"/api/v1/users/?"), {"GET": USERS_LIST_CREATE, "POST": USERS_LIST_CREATE}),
    (
        re.compile(rf"/api/v1/users/{_SEGMENT}/?"),
        {"GET": USER_GET, "POST": USER_UPDATE, "PUT": USER_UPDATE, "DELETE": USER_UPDATE},
    ),
    (re.compile(rf"/api/v1/users/{_SEGMENT}/lifecycle/{_SEGMENT}/?"), {"POST": USER_LIFECYCLE}),
    (re.compile(rf"/api/v1/users/{_SEGMENT}/groups/?"), {"GET": USER_GROUPS}),
    (re.compile(r"/api/v1/groups/?"), {"GET": GROUPS, "POST": GROUPS}),
    (re.compile(rf"/api/v1/groups/{_SEGMENT}/?"), {"GET": GROUPS, "PUT": GROUPS, "DELETE": GROUPS}),
    (re.compile(rf"/api/v1/groups/{_SEGMENT}/users/?"), {"GET": GROUP_MEMBERS}),
    (
        re.compile(rf"/api/v1/groups/{_SEGMENT}/users/{_SEGMENT}/?"),
        {"PUT": GROUP_MEMBERS, "DELETE": GROUP_MEMBERS},
    ),
)


def bucket_for(method: str, path: str) -> str:
    """The bucket of a request, from its method and URL path (without the query string)."""
    verb = method.upper()
    for pattern, by_method in _RULES:
        if pattern.fullmatch(path):
            return by_method.get(verb, OTHER)
    return OTHER
