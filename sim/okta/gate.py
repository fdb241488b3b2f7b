"""The fake Okta's front door: auth, Content-Length, concurrency, rate limits, faults, counters.

Every answer carries the X-Rate-Limit-* headers of its bucket, as Okta's do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from shared.errors import OktaError
from sim.okta.buckets import bucket_of
from sim.okta.counters import RequestRecord
from sim.okta.handlers import STATE, answer
from sim.okta.limits import CONCURRENCY, Verdict
from sim.okta.serialize import error_json
from sim.okta.state import FakeOkta

RATE_LIMITED = OktaError(
    status=429,
    error_code="E0000047",
    error_summary="API call exceeded rate limit due to too many requests.",
)
_WRITES = frozenset({"POST", "PUT", "DELETE"})
_BODY_METHODS = frozenset({"POST", "PUT"})


@dataclass(frozen=True)
class _Admission:
    verdict: Verdict
    latency_s: float
    failure: int | None


def error_answer(error: OktaError) -> web.Response:
    """The JSON error answer for ``error``."""
    return answer(error_json(error), status=error.status or 500)


def _server_error(status: int) -> OktaError:
    return OktaError(status=status, error_code="E0000009", error_summary="Internal Server Error")


def _http_error(error: web.HTTPException, request: web.Request) -> OktaError:
    if isinstance(error, web.HTTPMethodNotAllowed):
        return OktaError(
            status=405,
            error_code="E0000022",
            error_summary="The endpoint does not support the provided HTTP method",
        )
    return OktaError(
        status=error.status,
        error_code="E0000007" if error.status == 404 else "E0000001",
        error_summary=f"Not found: Resource not found: {request.path} (Endpoint)",
    )


def _auth_ok(request: web.Request, state: FakeOkta) -> bool:
    header = request.headers.get("Authorization", "")
    token = state.settings.token
    return header in (f"SSWS {token}", f"Bearer {token}")


def _length_missing(request: web.Request) -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    has_length = "Content-Length" in request.headers
    return request.method in _BODY_METHODS and not (has_length or chunked)


def _refusal(request: web.Request, state: FakeOkta) -> OktaError | None:
    """The answer for a request Okta refuses before counting it: bad token, no length."""
    if not _auth_ok(request, state):
        return OktaError(status=401, error_code="E0000011", error_summary="Invalid token provided")
    if _length_missing(request):
        return OktaError(status=411, error_code="E0000003", error_summary="Length Required")
    return None


def _admit(state: FakeOkta, bucket: str, in_flight: int) -> _Admission:
    """Decide under the lock: concurrency first, then forced storms, then the window budget."""
    now = state.clock()
    with state.lock:
        if in_flight > state.settings.concurrency_limit:
            verdict = state.windows.too_many_in_flight(now)
        elif kind := state.faults.storm_kind(bucket, now):
            verdict = (
                state.windows.too_many_in_flight(now)
                if kind == CONCURRENCY
                else state.windows.exhausted(bucket, now)
            )
        else:
            verdict = state.windows.admit(bucket, now)
        if verdict.allowed:
            state.stats.count_in_window(bucket, verdict.window_start)
        else:
            state.stats.rate_limited[str(verdict.kind)] += 1
        failure = state.faults.server_error() if verdict.allowed else None
        return _Admission(verdict, state.faults.latency_s, failure)


async def _serve(
    request: web.Request, handler: Handler, state: FakeOkta, bucket: str, in_flight: int
) -> web.StreamResponse:
    refusal = _refusal(request, state)
    if refusal is not None:
        refused = error_answer(refusal)
        with state.lock:
            refused.headers.update(state.windows.current(bucket, state.clock()).headers)
        return refused
    admission = _admit(state, bucket, in_flight)
    response: web.StreamResponse
    if not admission.verdict.allowed:
        response = error_answer(RATE_LIMITED)
    else:
        if admission.latency_s:
            await asyncio.sleep(admission.latency_s)
        response = await _handle(request, handler, admission.failure)
    response.headers.update(admission.verdict.headers)
    return response


async def _handle(
    request: web.Request, handler: Handler, failure: int | None
) -> web.StreamResponse:
    if failure is not None:
        return error_answer(_server_error(failure))
    try:
        return await handler(request)
    except OktaError as error:
        return error_answer(error)
    except web.HTTPException as error:
        return error_answer(_http_error(error, request))


def _record(state: FakeOkta, request: web.Request, bucket: str, status: int) -> None:
    with state.lock:
        stats = state.stats
        stats.calls[(bucket, request.method)] += 1
        stats.statuses[(bucket, status)] += 1
        if request.method in _WRITES and status < 300:
            stats.writes += 1
        stats.log.append(RequestRecord(state.clock(), request.method, request.path, bucket, status))


@web.middleware
async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve one request as Okta would, counting it."""
    state = request.app[STATE]
    bucket = bucket_of(request.method, request.path)
    with state.lock:
        state.in_flight += 1
        in_flight = state.in_flight
        state.stats.max_in_flight = max(state.stats.max_in_flight, in_flight)
    try:
        response = await _serve(request, handler, state, bucket, in_flight)
    finally:
        with state.lock:
            state.in_flight -= 1
    _record(state, request, bucket, response.status)
    return response
