"""Okta search and filter expressions, parsed by the fake into predicates."""

from __future__ import annotations

import pytest

from shared.errors import OktaError
from sim.okta.search import parse_filter, parse_search

RECORD = {
    "status": "ACTIVE",
    "profile.department": "Sales",
    "profile.login": "ada@example.com",
    "profile.skills": ["python", "Go"],
    "profile.title": None,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('status eq "ACTIVE"', True),
        ('profile.department eq "sales"', True),
        ('profile.department eq "Sales" and status eq "STAGED"', False),
        ('profile.department eq "Eng" or status eq "active"', True),
        ('(profile.department eq "Eng" or status eq "ACTIVE") and profile.login sw "ada"', True),
        ('profile.login co "example"', True),
        ('profile.skills eq "go"', True),
        ("profile.title pr", False),
        ("profile.login pr", True),
        ('profile.missing eq "x"', False),
        ('profile.login eq "a\\"b"', False),
    ],
)
def test_a_search_expression_matches_like_okta(expression: str, expected: bool) -> None:
    assert parse_search(expression)(RECORD) is expected


def test_a_filter_compares_values_case_sensitively() -> None:
    allowed = {"profile.login", "status"}
    assert parse_filter('profile.login eq "ada@example.com"', allowed)(RECORD)
    assert not parse_filter('profile.login eq "ADA@example.com"', allowed)(RECORD)


@pytest.mark.parametrize(
    "expression",
    [
        'profile.department eq Sales"',
        'profile.department like "Sales"',
        '(status eq "ACTIVE"',
        'status eq "ACTIVE" and',
        'status eq "ACTIVE" extra',
        '"ACTIVE" eq status',
    ],
)
def test_a_malformed_expression_is_e0000031(expression: str) -> None:
    with pytest.raises(OktaError) as caught:
        parse_search(expression)
    assert (caught.value.status, caught.value.error_code) == (400, "E0000031")


def test_a_filter_refuses_attributes_okta_cannot_filter_on() -> None:
    with pytest.raises(OktaError, match="E0000031"):
        parse_filter('profile.department eq "Sales"', {"profile.login"})
