"""Check every request to, and every answer from, a fake Okta against Okta's official OpenAPI spec.

``ContractRecorder.attach(app)`` adds an outermost aiohttp middleware to a fake Okta app (before it
starts): each request the client sent and each answer the fake gave is validated with openapi-core
against okta-users-groups.yaml, and every problem is kept as a Violation. Test suites assert
``recorder.violations == []`` at teardown (see tests/contract/fixtures.py).

What the spec cannot say is checked here by hand (SOURCE.md): the X-Rate-Limit-* headers on every
answer, the Link header's shape, login and email on a create. Answers with a status the operation
does not declare (401, 5xx) are checked against the spec's Error schema. openapi-core cannot check
oauth2 security; both SSWS and Bearer tokens travel in the Authorization header, which the apiToken
scheme requires, so the in-memory spec keeps apiToken alone.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml
from aiohttp import web
from aiohttp.typedefs import Handler
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH: Final = Path(__file__).with_name("okta-users-groups.yaml")
SPEC_HOST: Final = "https://subdomain.okta.com"  # the spec's server: every host is mapped to it
RATE_HEADERS: Final = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
_LINK: Final = re.compile(r'^<[^>]+>; rel="(self|next)"$')
_METHODS: Final = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Violation:
    """One way a request or an answer departed from the contract."""

    side: str  # "request" or "response"
    method: str
    path: str
    status: int | None
    detail: str

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return f"{self.side}: {self.method} {self.path}{status}: {self.detail}"


@dataclass
class SpecRequest:
    """A request in the shape openapi-core reads."""

    method: str
    path: str
    query: Mapping[str, Any]
    headers: Mapping[str, str]
    body: bytes | None
    content_type: str
    host_url: str = SPEC_HOST
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(self.query.items())),
            header=Headers(list(self.headers.items())),
            cookie=ImmutableMultiDict(),
        )


@dataclass
class SpecResponse:
    """An answer in the shape openapi-core reads."""

    status_code: int
    data: bytes
    headers: Mapping[str, str]
    content_type: str


@functools.cache
def _spec_dict(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(path.read_text())
    for item in spec["paths"].values():
        for method in _METHODS:
            if method in item and "security" in item[method]:
                item[method]["security"] = [{"apiToken": []}]
    return spec


@functools.cache
def _openapi(path: Path) -> OpenAPI:
    return OpenAPI.from_dict(copy.deepcopy(_spec_dict(path)))


def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))


class ContractRecorder:
    """Validates a fake Okta's traffic against the spec and keeps the violations."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec = _spec_dict(spec_path)
        self.openapi = _openapi(spec_path)
        self.violations: list[Violation] = []
        self.expected: list[Violation] = []
        self.requests_checked = 0
        self.responses_checked = 0
        self._expecting = 0
        self._lock = threading.Lock()
        self._error_schema = {**self.spec["components"]["schemas"]["Error"]}
        self._error_schema["components"] = self.spec["components"]
        self._paths = [(_template(p), item) for p, item in self.spec["paths"].items()]

    def attach(self, app: web.Application) -> None:
        """Validate every request and answer of ``app`` (call before the app starts)."""
        app.middlewares.insert(0, self.middleware)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Check the request, let the app answer, check the answer."""
        body = await request.read()
        spec_request = SpecRequest(
            method=request.method.lower(),
            path=request.rel_url.raw_path,  # a login may hold an encoded "/"
            query=request.query,
            headers=request.headers,
            body=body,
            content_type=request.content_type if body else "",
        )
        self.check_request(spec_request)
        response = await handler(request)
        data = response.body if isinstance(response, web.Response) else b""
        self.check_response(
            spec_request,
            SpecResponse(
                status_code=response.status,
                data=data if isinstance(data, bytes) else b"",
                headers=response.headers,
                content_type=response.content_type if data else "",
            ),
        )
        return response

    # --- checks ----------------------------------------------------------------------------

    def check_request(self, request: SpecRequest) -> None:
        """Validate one request; problems become violations."""
        with self._lock:
            self.requests_checked += 1
        for error in self.openapi.iter_request_errors(request):
            self._add("request", request, None, _describe(error))
        for problem in _request_extras(request):
            self._add("request", request, None, problem)

    def check_response(self, request: SpecRequest, response: SpecResponse) -> None:
        """Validate one answer to ``request``; problems become violations."""
        with self._lock:
            self.responses_checked += 1
        declared = self._declared_response(request, response.status_code)
        if declared is None:
            problems = self._error_body_problems(response)
        else:
            bodiless = not declared.get("content") and not response.data
            problems = [
                _describe(error)
                for error in self.openapi.iter_response_errors(request, response)
                if not (bodiless and type(error).__name__ == "MissingData")
            ]
        problems += _response_extras(response)
        for problem in problems:
            self._add("response", request, response.status_code, problem)

    def _declared_response(self, request: SpecRequest, status: int) -> dict[str, Any] | None:
        for pattern, item in self._paths:
            if pattern.fullmatch(request.path) and request.method in item:
                responses: dict[str, Any] = item[request.method]["responses"]
                found = responses.get(str(status))
                if isinstance(found, dict) and "$ref" in found:
                    name = found["$ref"].rsplit("/", 1)[-1]
                    resolved: dict[str, Any] = self.spec["components"]["responses"][name]
                    return resolved
                return found
        return None

    def _error_body_problems(self, response: SpecResponse) -> list[str]:
        if response.status_code < 400:
            return [f"status {response.status_code} is not declared for this operation"]
        try:
            body = json.loads(response.data)
            jsonschema.validate(body, self._error_schema)
        except (ValueError, jsonschema.ValidationError) as error:
            return [f"undeclared error status with a body that is not an Okta Error: {error}"]
        return [] if body.get("errorCode") else ["error body without errorCode"]

    # --- bookkeeping -----------------------------------------------------------------------

    def _add(self, side: str, request: SpecRequest, status: int | None, detail: str) -> None:
        violation = Violation(side, request.method.upper(), request.path, status, detail)
        with self._lock:
            (self.expected if self._expecting else self.violations).append(violation)

    @contextlib.contextmanager
    def expecting_violations(self) -> Iterator[list[Violation]]:
        """Inside the block violations are expected (a test sends bad data on purpose).

        They are collected in the yielded list instead of failing the test; the block must
        produce at least one.
        """
        with self._lock:
            self._expecting += 1
            start = len(self.expected)
        caught: list[Violation] = []
        try:
            yield caught
        finally:
            with self._lock:
                self._expecting -= 1
                caught.extend(self.expected[start:])
        assert caught, "a violation was expected inside expecting_violations(), none happened"

    def assert_clean(self) -> None:
        """Fail with every violation seen, if any."""
        with self._lock:
            violations = list(self.violations)
        assert not violations, "contract violations:\n" + "\n".join(map(str, violations))


def _describe(error: BaseException) -> str:
    parts = [repr(error)]
    cause = error.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        parts.append(repr(cause) if not schema_errors else "; ".join(map(str, schema_errors)))
        cause = cause.__cause__
    return " <- ".join(parts)[:2000]


def _request_extras(request: SpecRequest) -> list[str]:
    problems: list[str] = []
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    if scheme not in ("SSWS", "Bearer"):
        problems.append(f"Authorization scheme {scheme!r} is neither SSWS nor Bearer")
    bodiless = request.method in ("post", "put") and not request.body
    if bodiless and request.headers.get("Content-Length") != "0":
        problems.append("POST/PUT without a body must send Content-Length: 0")
    if request.method == "post" and request.path == "/api/v1/users" and request.body:
        with contextlib.suppress(ValueError, AttributeError):
            profile = json.loads(request.body).get("profile") or {}
            missing = [name for name in ("login", "email") if not profile.get(name)]
            if missing:
                problems.append(f"create without {', '.join(missing)}")
    return problems


def _response_extras(response: SpecResponse) -> list[str]:
    problems: list[str] = []
    for name in RATE_HEADERS:
        value = response.headers.get(name)
        if value is None or not value.isdigit():
            problems.append(f"{name} missing or not a non-negative integer: {value!r}")
    getall = getattr(response.headers, "getall", None)
    links = getall("Link", []) if getall else []
    problems += [f"malformed Link header {link!r}" for link in links if not _LINK.match(link)]
    return problems
