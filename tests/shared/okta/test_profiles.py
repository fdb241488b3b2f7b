"""Profiles are shaped for Okta: empty attributes left out on create, "" for non-nullable ones."""

from __future__ import annotations

from shared.okta import creation_profile, update_changes


def test_a_create_leaves_empty_attributes_out() -> None:
    profile: dict[str, object] = {
        "login": "ada@example.com",
        "title": None,
        "city": "",
        "skills": [],
        "n": 0,
    }
    assert creation_profile(profile) == {"login": "ada@example.com", "n": 0}


def test_an_update_clears_nullable_attributes_with_null_and_the_others_with_empty() -> None:
    changes = {"title": None, "department": None, "employeeNumber": None, "locale": None,
               "city": "Paris"}  # fmt: skip
    assert update_changes(changes) == {
        "title": None,
        "department": "",
        "employeeNumber": "",
        "locale": "",
        "city": "Paris",
    }
