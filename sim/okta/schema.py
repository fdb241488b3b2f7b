"""The fake Okta's user profile schema: base attributes, declared custom ones, and validation.

Okta rejects (400 E0000001) an attribute the schema does not declare, a missing login or email,
a login or email that is not an email address, values over the documented lengths, and null for
the attributes the official schema makes non-nullable.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from shared.errors import OktaError
from shared.okta.profiles import NON_NULLABLE

BASE_ATTRIBUTES: Final = frozenset(
    {
        "city", "costCenter", "countryCode", "department", "displayName", "division", "email",
        "employeeNumber", "firstName", "honorificPrefix", "honorificSuffix", "lastName", "locale",
        "login", "manager", "managerId", "middleName", "mobilePhone", "nickName", "organization",
        "postalAddress", "preferredLanguage", "primaryPhone", "profileUrl", "secondEmail", "state",
        "streetAddress", "timezone", "title", "userType", "zipCode",
    }
)  # fmt: skip
MAX_LENGTHS: Final = {
    "login": 100,
    "email": 100,
    "secondEmail": 100,
    "firstName": 50,
    "lastName": 50,
    "countryCode": 2,
    "city": 128,
    "state": 128,
    "zipCode": 50,
    "streetAddress": 1024,
    "postalAddress": 4096,
    "mobilePhone": 100,
    "primaryPhone": 100,
}
REQUIRED: Final = ("login", "email")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EMAIL_ATTRIBUTES: Final = ("login", "email", "secondEmail")


def validation_failed(subject: str, causes: list[str]) -> OktaError:
    """Okta's 400 E0000001 "Api validation failed" answer, with one cause per problem."""
    return OktaError(
        status=400,
        error_code="E0000001",
        error_summary=f"Api validation failed: {subject}",
        error_causes=causes,
    )


def _value_problem(name: str, value: Any) -> str | None:
    if value is None:
        return f"{name}: The field cannot be null" if name in NON_NULLABLE else None
    if name in BASE_ATTRIBUTES and not isinstance(value, str):
        return f"{name}: Expected a string, found {type(value).__name__}"
    if isinstance(value, str):
        limit = MAX_LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            return f"{name}: The field is too long (at most {limit} characters)"
        if name in _EMAIL_ATTRIBUTES and value and not _EMAIL.match(value):
            return f"{name}: Does not match required pattern (an email address)"
    return None


def check_attributes(
    profile: Mapping[str, Any], custom: Collection[str], *, complete: bool
) -> None:
    """Raise 400 E0000001 for unknown attributes or bad values; ``complete`` checks required ones.

    A partial update passes ``complete`` False for the changes, then True for the merged profile.
    """
    causes = [
        f"Property name '{name}' is not defined in profile schema"
        for name in profile
        if name not in BASE_ATTRIBUTES and name not in custom
    ]
    causes += [p for name, value in profile.items() if (p := _value_problem(name, value))]
    if complete:
        causes += [
            f"{name}: The field cannot be left blank" for name in REQUIRED if not profile.get(name)
        ]
    if causes:
        raise validation_failed("user profile", causes)
