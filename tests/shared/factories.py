"""Small builders for people, configurations and rules used across the unit tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from config import parse_config
from harness.world import DEFAULT_CONFIG
from shared.core.rules import Rules

TODAY = date(2026, 11, 28)

BASE_CONFIG: dict[str, Any] = {
    "charthop": {"org": "acme"},
    "okta": {"domain": "acme.okta.com"},
    "profile_fields": DEFAULT_CONFIG["profile_fields"],  # the example configuration's
    "groups": [
        {"name": "Engineering", "query": "department:engineering"},
        {"name": "Managers", "query": "is:manager"},
    ],
    "settings": {"live_sync": False},
}


def rules(**settings: Any) -> Rules:
    raw = {**BASE_CONFIG, "settings": {**BASE_CONFIG["settings"], **settings}}
    return Rules.build(parse_config(raw), clock=lambda: TODAY)


def person(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "p1",
        "name": {"first": "Ada", "last": "Lovelace"},
        "contact": {"workEmail": "Ada.Lovelace@acme.example"},
        "title": "Software Engineer",
        "department": {"name": "Engineering"},
        "location": {"name": "London", "address": {"city": "London"}},
        "directReports": 0,
        "startDate": "2020-01-06",
    }
    record.update(overrides)
    return record


def okta_profile(**overrides: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "Ada.Lovelace@acme.example",
        "login": "Ada.Lovelace@acme.example",
        "title": "Software Engineer",
        "department": "Engineering",
        "city": "London",
    }
    profile.update(overrides)
    return profile
