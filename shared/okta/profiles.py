"""Shape profile attributes for Okta's create and partial-update bodies (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

NON_NULLABLE: Final = frozenset({"login", "email", "department", "employeeNumber", "locale"})
"""Base attributes the official schema declares non-nullable: cleared with "", never null."""


def is_empty(value: Any) -> bool:
    """True for the values a diff treats as one empty value: None, "" and empty lists."""
    return value is None or value == "" or value == []


def creation_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The profile to send on create: empty attributes left out."""
    return {name: value for name, value in profile.items() if not is_empty(value)}


def update_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes to send in a partial update: null clears, "" for non-nullable attributes."""
    return {
        name: ("" if value is None and name in NON_NULLABLE else value)
        for name, value in changes.items()
    }


def same_login(left: str, right: str) -> bool:
    """True when two logins name the same Okta user (Okta ignores case)."""
    return left.casefold() == right.casefold()
