"""Turn an Okta error answer into the matching OktaError subclass, keyed by its errorCode."""

from __future__ import annotations

import json
from typing import Any, Final

from shared.errors import (
    OktaAuthError,
    OktaError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaRateLimitError,
    OktaServerError,
    OktaValidationError,
)

_BY_CODE: Final[dict[str, type[OktaError]]] = {
    "E0000001": OktaValidationError,  # validation failed: duplicate login, unknown attribute
    "E0000003": OktaValidationError,  # malformed body
    "E0000004": OktaAuthError,  # authentication failed
    "E0000011": OktaAuthError,  # invalid token
    "E0000006": OktaForbiddenError,  # access denied
    "E0000038": OktaForbiddenError,  # not allowed in the user's current status
    "E0000007": OktaNotFoundError,  # not found
    "E0000047": OktaRateLimitError,  # rate limit
}

_SUMMARY_LIMIT = 300


def _class_for_status(status: int) -> type[OktaError]:
    """The class for an answer whose errorCode is missing or unknown, from its HTTP status."""
    if status == 401:
        return OktaAuthError
    if status == 403:
        return OktaForbiddenError
    if status == 404:
        return OktaNotFoundError
    if status == 429:
        return OktaRateLimitError
    if status >= 500:
        return OktaServerError
    return OktaValidationError if status in (400, 422) else OktaError


def parse_error_body(body: bytes | str | None) -> dict[str, Any]:
    """The JSON object of an error answer, or {} when the body is empty or not a JSON object."""
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def error_from_response(status: int, body: bytes | str | None, method: str, url: str) -> OktaError:
    """The OktaError for an error answer: the class by errorCode, else by HTTP status."""
    data = parse_error_body(body)
    code = str(data.get("errorCode") or "")
    summary = str(data.get("errorSummary") or "")
    if not summary and body and not data:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        summary = text.strip()[:_SUMMARY_LIMIT]
    causes = [
        str(cause.get("errorSummary", ""))
        for cause in data.get("errorCauses") or []
        if isinstance(cause, dict)
    ]
    cls = _BY_CODE.get(code) or _class_for_status(status)
    if status >= 500:
        cls = OktaServerError
    return cls(
        status=status,
        error_code=code,
        error_summary=summary or f"HTTP {status} without an Okta error body",
        error_causes=causes,
        error_id=str(data.get("errorId") or ""),
        method=method,
        url=url,
    )
