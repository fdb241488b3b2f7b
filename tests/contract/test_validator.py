"""The contract recorder catches what departs from Okta's spec, and passes what conforms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.contract.validator import ContractRecorder, SpecRequest, SpecResponse

AUTH = {"Authorization": "SSWS token"}
RATE = {
    "X-Rate-Limit-Limit": "600",
    "X-Rate-Limit-Remaining": "599",
    "X-Rate-Limit-Reset": "1700000060",
}
USER = {
    "id": "00u1",
    "status": "ACTIVE",
    "created": "2024-01-01T00:00:00.000Z",
    "lastUpdated": "2024-01-01T00:00:00.000Z",
    "profile": {"login": "ada@example.com", "email": "ada@example.com", "department": "R&D"},
}


def request(method: str, path: str, body: Any = None, **query: str) -> SpecRequest:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = dict(AUTH)
    if method in ("post", "put") and not raw:
        headers["Content-Length"] = "0"
    return SpecRequest(method, path, query, headers, raw, "application/json" if raw else "")


def response(
    status: int, body: Any = None, headers: Mapping[str, str] | None = None
) -> SpecResponse:
    raw = json.dumps(body).encode() if body is not None else b""
    return SpecResponse(status, raw, headers if headers is not None else dict(RATE),
                        "application/json" if raw else "")  # fmt: skip


@pytest.fixture
def recorder() -> ContractRecorder:
    return ContractRecorder()


def test_a_conforming_list_exchange_records_no_violation(recorder: ContractRecorder) -> None:
    call = request("get", "/api/v1/users", limit="200", search='profile.department eq "R&D"')
    recorder.check_request(call)
    recorder.check_response(call, response(200, [USER]))
    assert recorder.violations == []
    assert (recorder.requests_checked, recorder.responses_checked) == (1, 1)


def test_null_for_a_non_nullable_attribute_is_a_request_violation(
    recorder: ContractRecorder,
) -> None:
    recorder.check_request(request("post", "/api/v1/users/00u1", {"profile": {"department": None}}))
    assert len(recorder.violations) == 1
    assert "department" in recorder.violations[0].detail or "None" in recorder.violations[0].detail


def test_a_create_without_email_is_a_violation_though_the_spec_requires_nothing(
    recorder: ContractRecorder,
) -> None:
    recorder.check_request(request("post", "/api/v1/users", {"profile": {"login": "a@b.co"}}))
    assert [v.detail for v in recorder.violations] == ["create without email"]


def test_an_answer_without_rate_limit_headers_is_a_violation(recorder: ContractRecorder) -> None:
    call = request("get", "/api/v1/users/00u1")
    recorder.check_response(call, response(200, USER, headers={}))
    details = sorted(v.detail for v in recorder.violations)
    assert len(details) == 3
    assert all(d.startswith("X-Rate-Limit-") for d in details)


def test_an_answer_breaking_the_user_schema_is_a_violation(recorder: ContractRecorder) -> None:
    call = request("get", "/api/v1/users/00u1")
    recorder.check_response(call, response(200, {**USER, "status": "HAPPY"}))
    assert len(recorder.violations) == 1
    assert recorder.violations[0].side == "response"


def test_an_undeclared_error_status_is_checked_against_the_error_schema(
    recorder: ContractRecorder,
) -> None:
    call = request("get", "/api/v1/users")
    recorder.check_response(call, response(401, {"errorCode": "E0000011", "errorSummary": "x"}))
    assert recorder.violations == []
    recorder.check_response(call, response(401, {"errorCode": 11}))
    assert len(recorder.violations) == 1


def test_a_bodiless_answer_where_the_spec_declares_no_content_conforms(
    recorder: ContractRecorder,
) -> None:
    recorder.check_response(request("put", "/api/v1/groups/00g1/users/00u1"), response(204))
    recorder.check_response(request("post", "/api/v1/users/00u1/lifecycle/suspend"), response(200))
    assert recorder.violations == []


def test_a_post_without_body_or_content_length_is_a_violation(recorder: ContractRecorder) -> None:
    call = SpecRequest("post", "/api/v1/users/00u1/lifecycle/suspend", {}, AUTH, b"", "")
    recorder.check_request(call)
    assert [v.detail for v in recorder.violations] == [
        "POST/PUT without a body must send Content-Length: 0"
    ]


def test_a_malformed_link_header_is_a_violation(recorder: ContractRecorder) -> None:
    from multidict import CIMultiDict

    headers = CIMultiDict(RATE)
    headers.add("Link", '<https://x/api/v1/users?after=abc>; rel="next"')
    headers.add("Link", "https://x/api/v1/users?after=abc; next")
    recorder.check_response(request("get", "/api/v1/users"), response(200, [USER], headers))
    assert len(recorder.violations) == 1
    assert "malformed Link" in recorder.violations[0].detail


def test_expected_violations_are_collected_apart_and_must_happen(
    recorder: ContractRecorder,
) -> None:
    with recorder.expecting_violations() as caught:
        recorder.check_request(request("get", "/api/v1/users", limit="many"))
    assert len(caught) == 1
    assert recorder.violations == []
    with pytest.raises(AssertionError, match="expected"), recorder.expecting_violations():
        recorder.check_request(request("get", "/api/v1/users", limit="10"))
