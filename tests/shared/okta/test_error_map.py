"""Okta error answers become the OktaError subclass of their errorCode."""

from __future__ import annotations

import json

import pytest

from shared.errors import (
    OktaAuthError,
    OktaError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitError,
    OktaServerError,
    OktaValidationError,
)
from shared.okta import error_from_response


def body(code: str, *causes: str) -> bytes:
    return json.dumps({
        "errorCode": code,
        "errorSummary": f"summary of {code}",
        "errorId": "oae123",
        "errorCauses": [{"errorSummary": c} for c in causes],
    }).encode()  # fmt: skip


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "E0000001", OktaValidationError),
        (400, "E0000003", OktaValidationError),
        (401, "E0000004", OktaAuthError),
        (401, "E0000011", OktaAuthError),
        (403, "E0000006", OktaForbiddenError),
        (403, "E0000038", OktaForbiddenError),
        (404, "E0000007", OktaNotFoundError),
        (429, "E0000047", OktaRateLimitError),
        (500, "E0000009", OktaServerError),
        (403, "E0000016", OktaForbiddenError),
        (400, "E0000031", OktaValidationError),
        (409, "E0000099", OktaError),
    ],
)
def test_each_error_code_maps_to_its_class(status: int, code: str, cls: type[OktaError]) -> None:
    error = error_from_response(status, body(code), "POST", "https://acme.okta.com/api/v1/users")
    assert type(error) is cls
    assert (error.status, error.error_code, error.error_id) == (status, code, "oae123")


def test_the_message_names_call_code_summary_and_causes() -> None:
    error = error_from_response(
        400, body("E0000001", "login: already exists"), "POST", "https://acme.okta.com/api/v1/users"
    )
    assert str(error) == (
        "Okta POST https://acme.okta.com/api/v1/users answered 400 E0000001: summary of E0000001"
        " (login: already exists) [errorId oae123]"
    )
    assert error.details()["errorCauses"] == ["login: already exists"]


def test_a_body_that_is_not_okta_json_falls_back_to_the_status() -> None:
    error = error_from_response(502, b"<html>Bad gateway</html>", "GET", "https://x/api/v1/users")
    assert isinstance(error, OktaServerError)
    assert error.error_summary == "<html>Bad gateway</html>"
    empty = error_from_response(404, b"", "GET", "https://x/api/v1/users/1")
    assert isinstance(empty, OktaNotFoundError)
    assert "without an Okta error body" in empty.error_summary
