"""The JSON the fake Okta answers with: users, groups and error bodies, shaped like Okta's."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from shared.errors import OktaError
from sim.okta.directory import GroupRecord, UserRecord
from sim.okta.schema import BASE_ATTRIBUTES

DEFAULT_USER_TYPE = "oty1defaultusertype"


def timestamp(epoch: float | None) -> str | None:
    """Okta's timestamp format: 2024-01-31T09:30:00.000Z."""
    return None if epoch is None else _format(epoch)


# Listing a seeded org formats the same few instants millions of times: the benchmarks' bottleneck.
@functools.lru_cache(maxsize=4096)
def _format(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_json(user: UserRecord, origin: str) -> dict[str, Any]:
    """A user as the Users API returns it."""
    return {
        "id": user.id,
        "status": user.status,
        "created": timestamp(user.created),
        "activated": timestamp(user.activated),
        "statusChanged": timestamp(user.status_changed),
        "lastLogin": None,
        "lastUpdated": timestamp(user.last_updated),
        "passwordChanged": None,
        "type": {"id": DEFAULT_USER_TYPE},
        "profile": dict(user.profile),
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"{origin}/api/v1/users/{user.id}"}},
    }


def owner_json(profile: dict[str, str], origin: str) -> dict[str, Any]:
    """The admin an API token belongs to, as GET /api/v1/users/me returns it."""
    owner_id = "00u" + hashlib.sha256(profile["login"].encode()).hexdigest()[:17]
    return {
        "id": owner_id,
        "status": "ACTIVE",
        "created": _format(0.0),
        "activated": _format(0.0),
        "statusChanged": _format(0.0),
        "lastLogin": None,
        "lastUpdated": _format(0.0),
        "passwordChanged": None,
        "type": {"id": DEFAULT_USER_TYPE},
        "profile": dict(profile),
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"{origin}/api/v1/users/{owner_id}"}},
    }


def user_schema_json(custom: list[str], origin: str) -> dict[str, Any]:
    """The default user schema: Okta's base attributes and the org's custom ones."""

    def attribute(name: str) -> dict[str, Any]:
        return {"title": name, "type": "string", "mutability": "READ_WRITE", "scope": "NONE"}

    return {
        "id": f"{origin}/meta/schemas/user/default",
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": "user",
        "title": "User",
        "type": "object",
        "definitions": {
            "base": {
                "id": "#base",
                "type": "object",
                "properties": {name: attribute(name) for name in sorted(BASE_ATTRIBUTES)},
                "required": ["login", "email"],
            },
            "custom": {
                "id": "#custom",
                "type": "object",
                "properties": {name: attribute(name) for name in custom},
                "required": [],
            },
        },
        "properties": {
            "profile": {"allOf": [{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}]}
        },
        "_links": {"self": {"href": f"{origin}/api/v1/meta/schemas/user/default"}},
    }


def group_json(group: GroupRecord, origin: str) -> dict[str, Any]:
    """A group as the Groups API returns it."""
    app_group = group.type == "APP_GROUP"
    object_class = "okta:windows_security_principal" if app_group else "okta:user_group"
    return {
        "id": group.id,
        "created": timestamp(group.created),
        "lastUpdated": timestamp(group.last_updated),
        "lastMembershipUpdated": timestamp(group.last_membership_updated),
        "objectClass": [object_class],
        "type": group.type,
        "profile": {"name": group.name, "description": group.description},
        "_links": {
            "self": {"href": f"{origin}/api/v1/groups/{group.id}"},
            "users": {"href": f"{origin}/api/v1/groups/{group.id}/users"},
        },
    }


def error_json(error: OktaError) -> dict[str, Any]:
    """Okta's error body for an OktaError raised inside the fake."""
    return {
        "errorCode": error.error_code,
        "errorSummary": error.error_summary,
        "errorLink": error.error_code,
        "errorId": "oae" + secrets.token_hex(8),
        "errorCauses": [{"errorSummary": cause} for cause in error.error_causes],
    }


def activation_json(origin: str, send_email: bool) -> dict[str, Any]:
    """The answer to an activation: the token and URL unless Okta e-mailed them."""
    if send_email:
        return {}
    token = secrets.token_urlsafe(15)
    return {"activationToken": token, "activationUrl": f"{origin}/tokens/{token}/verify"}
