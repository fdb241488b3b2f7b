"""The fake ChartHop's HTTP face: the v2 people endpoints, bearer auth and injected faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import web

from shared import json_codec
from sim.charthop.fields import org_fields
from sim.charthop.query import decode_cursor, encode_cursor, parse_fields, project
from sim.charthop.state import FakeChartHop

STATE: Final = web.AppKey("charthop_state", FakeChartHop)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(state: FakeChartHop) -> web.Application:
    """An aiohttp app serving ``state``: ``/v2/org/{org}/person[/count|/{id}]``, and the field
    list ``/v1/org/{org}/field`` (sim/charthop/fields.py)."""
    app = web.Application(middlewares=[_gate])
    app[STATE] = state
    # /count goes before /{person_id}: routes match in the order they are added.
    app.router.add_get("/v2/org/{org}/person", _list_people, name="list")
    app.router.add_get("/v2/org/{org}/person/count", _count_people, name="count")
    app.router.add_get("/v2/org/{org}/person/{person_id}", _get_person, name="get")
    app.router.add_get("/v1/org/{org}/field", _list_fields, name="fields")
    return app


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Latency, counting, auth, org check and injected faults, before the real handler."""
    state = request.app[STATE]
    if state.latency_s > 0:
        await asyncio.sleep(state.latency_s)
    route = request.match_info.route.name or "other"
    try:
        response = await _guarded(request, handler, state)
    except web.HTTPException as exc:
        state.record(route, exc.status)
        raise
    state.record(route, response.status)
    return response


async def _guarded(
    request: web.Request, handler: Handler, state: FakeChartHop
) -> web.StreamResponse:
    if not state.token_matches(request.headers.get("Authorization")):
        return _error(401, "missing or wrong bearer token in the Authorization header")
    org = request.match_info.get("org")
    if org is not None and org not in (state.org, state.org_id):
        return _error(404, f"no org {org!r}")
    fault = state.next_fault()
    if fault == 202:
        return _json({"status": 202, "message": "snapshot currently building"}, 202)
    if fault == 429:
        headers = {"Retry-After": state.retry_after} if state.retry_after is not None else None
        return _error(429, "too many requests", headers=headers)
    if fault is not None:
        return _error(fault, "internal error (injected)")
    return await handler(request)


async def _list_people(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        fields = parse_fields(request.query.get("fields"))
        limit = _limit(request, state)
        offset = decode_cursor(request.query["from"]) if "from" in request.query else 0
        matches = state.matching(request.query.get("q"), _include_all(request))
    except ValueError as exc:
        return _error(400, str(exc))
    with state.lock:
        page = matches[offset : offset + limit]
        body: dict[str, Any] = {"data": [_row(person, fields) for person in page]}
        if offset + limit < len(matches):
            body["next"] = encode_cursor(offset + limit)
        return _json(body)


async def _list_fields(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.fields_forbidden:
        return _error(403, "this token may not read the org's fields")
    try:
        limit = _limit(request, state)
        offset = decode_cursor(request.query["from"]) if "from" in request.query else 0
        with state.lock:
            people = [*state.people.values(), *state.departed.values()]
            fields = org_fields(people, request.query.get("builtin", "custom"))
    except ValueError as exc:
        return _error(400, str(exc))
    body: dict[str, Any] = {"data": fields[offset : offset + limit]}
    if offset + limit < len(fields):
        body["next"] = encode_cursor(offset + limit)
    return _json(body)


async def _count_people(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        matches = state.matching(request.query.get("q"), _include_all(request))
    except ValueError as exc:
        return _error(400, str(exc))
    return _json({"count": len(matches)})


async def _get_person(request: web.Request) -> web.Response:
    state = request.app[STATE]
    person_id = request.match_info["person_id"]
    fields = parse_fields(request.query.get("fields"))
    with state.lock:
        person = state.find(person_id)
        if person is None:
            return _error(404, f"no person {person_id!r}")
        return _json(_row(person, fields))


def _row(person: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    # With fields, ChartHop answers flat dotted keys: the client must accept both shapes.
    return project(person, fields) if fields else person


def _limit(request: web.Request, state: FakeChartHop) -> int:
    text = request.query.get("limit")
    if text is None:
        return state.default_page_size
    if not text.isdigit() or not 1 <= int(text) <= state.max_page_size:
        raise ValueError(f"limit {text!r} must be a whole number from 1 to {state.max_page_size}")
    return int(text)


def _include_all(request: web.Request) -> bool:
    return request.query.get("includeAll", "").lower() in ("true", "1")


def _json(body: Any, status: int = 200) -> web.Response:
    # Serialised at once, under the caller's lock, so later changes cannot tear the answer.
    return web.Response(body=json_codec.dumps(body), status=status, content_type="application/json")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    response = _json({"status": status, "message": message}, status)
    if headers:
        response.headers.update(headers)
    return response
