"""The fake Okta's endpoints: users, lifecycle, groups and memberships, with Okta's answers.

Handlers raise shared.errors.OktaError for error answers; the gate middleware renders them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from aiohttp import web

from shared import json_codec
from shared.errors import OktaError
from sim.okta.directory import GroupRecord, UserRecord, not_found
from sim.okta.paging import page_limit, paginate
from sim.okta.schema import validation_failed
from sim.okta.search import Predicate, parse_filter, parse_search
from sim.okta.serialize import (
    activation_json,
    group_json,
    owner_json,
    user_json,
    user_schema_json,
)
from sim.okta.state import FakeOkta

STATE: Final = web.AppKey("fake_okta", FakeOkta)
USER_FILTER_ATTRIBUTES: Final = frozenset(
    {"status", "lastUpdated", "id", "profile.login", "profile.email", "profile.firstName",
     "profile.lastName"}
)  # fmt: skip
GROUP_FILTER_ATTRIBUTES: Final = frozenset({"id", "type", "lastUpdated", "lastMembershipUpdated"})
Q_DEFAULT_LIMIT: Final = 10


def answer(data: Any, status: int = 200, links: list[str] | None = None) -> web.Response:
    """A JSON answer, with Link headers when paged."""
    response = web.Response(
        status=status, body=json_codec.dumps(data), content_type="application/json"
    )
    for link in links or []:
        response.headers.add("Link", link)
    return response


def no_content(status: int = 204) -> web.Response:
    """An answer without a body."""
    return web.Response(status=status)


def origin(request: web.Request) -> str:
    """The scheme and host the client used, for links."""
    return str(request.url.origin())


async def read_object(request: web.Request) -> dict[str, Any]:
    """The JSON object in the request body; 400 E0000003 when it is not one."""
    raw = await request.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OktaError(
            status=400,
            error_code="E0000003",
            error_summary="The request body was not well-formed.",
        )
    return data


def _profile_of(body: dict[str, Any]) -> dict[str, Any]:
    profile = body.get("profile")
    if not isinstance(profile, dict):
        raise validation_failed("profile", ["profile: The field cannot be left blank"])
    return profile


def _state(request: web.Request) -> FakeOkta:
    return request.app[STATE]


def _flag(request: web.Request, name: str, default: bool) -> bool:
    text = request.query.get(name)
    if text is None:
        return default
    if text.lower() not in ("true", "false"):
        raise validation_failed(name, [f"{name}: {text!r} is not true or false"])
    return text.lower() == "true"


def _user_predicate(request: web.Request) -> tuple[Predicate | None, bool]:
    """The predicate of search/filter/q, and whether DEPROVISIONED users are included."""
    predicates: list[Predicate] = []
    if search := request.query.get("search"):
        predicates.append(parse_search(search))
    if filter_text := request.query.get("filter"):
        predicates.append(parse_filter(filter_text, USER_FILTER_ATTRIBUTES))
    if q := request.query.get("q"):
        wanted = q.casefold()
        names = ("profile.firstName", "profile.lastName", "profile.email")
        predicates.append(
            lambda r: any(str(r.get(n) or "").casefold().startswith(wanted) for n in names)
        )
    if not predicates:
        return None, False
    include = "q" not in request.query
    return (lambda r: all(p(r) for p in predicates)), include


async def list_users(request: web.Request) -> web.Response:
    """GET /api/v1/users."""
    state = _state(request)
    default = Q_DEFAULT_LIMIT if "q" in request.query else state.settings.users_page_max
    limit = page_limit(request, default, state.settings.users_page_max)
    predicate, include_deprovisioned = _user_predicate(request)
    with state.lock:
        page, links = paginate(
            request,
            lambda after: state.directory.list_users(
                predicate, include_deprovisioned=include_deprovisioned, after=after
            ),
            _seq,
            limit,
        )
        body = [user_json(u, origin(request)) for u in page]
    return answer(body, links=[] if "q" in request.query else links)


async def create_user(request: web.Request) -> web.Response:
    """POST /api/v1/users?activate=..."""
    state = _state(request)
    body = await read_object(request)
    activate = _flag(request, "activate", True)
    group_ids = body.get("groupIds") or []
    if not isinstance(group_ids, list) or not all(isinstance(g, str) for g in group_ids):
        raise validation_failed("groupIds", ["groupIds: expected a list of group ids"])
    with state.lock:
        profile = _profile_of(body)
        user = state.directory.create_user(profile, activate=activate, group_ids=group_ids)
        state.stats.users_created += 1
        data = user_json(user, origin(request))
        drop = state.faults.drop_this_create()
    if drop and request.transport is not None:
        request.transport.close()  # applied, but the client never hears of it
    return answer(data)


def _etag(user: UserRecord) -> str:
    digest = hashlib.sha1(f"{user.id}:{user.last_updated}".encode()).hexdigest()[:16]
    return f'W/"{digest}"'


async def get_user(request: web.Request) -> web.Response:
    """GET /api/v1/users/{id} (id or login)."""
    state = _state(request)
    key = request.match_info["id"]
    if key == "me":  # the user the API token belongs to
        return answer(owner_json(state.settings.token_owner, origin(request)))
    if "/" in key:  # Okta cannot route an encoded "/" in a login: only ids work for those
        raise not_found("User", key)
    with state.lock:
        user = state.directory.find_user(key)
        response = answer(user_json(user, origin(request)))
        response.headers["ETag"] = _etag(user)
    return response


async def update_user(request: web.Request) -> web.Response:
    """POST (partial) or PUT (full replacement) /api/v1/users/{id}."""
    state = _state(request)
    body = await read_object(request)
    with state.lock:
        user = state.directory.update_user(
            request.match_info["id"], _profile_of(body), replace=request.method == "PUT"
        )
        return answer(user_json(user, origin(request)))


_SENDS_ACTIVATION = frozenset({"activate", "reactivate"})


async def lifecycle(request: web.Request) -> web.Response:
    """POST /api/v1/users/{id}/lifecycle/{action}.

    activate and reactivate answer the activation token unless sendEmail is true (activate's
    default is true, reactivate's false); the other operations answer 200 with no body.
    """
    state = _state(request)
    action = request.match_info["action"]
    send_email = _flag(request, "sendEmail", action == "activate")
    with state.lock:
        user = state.directory.lifecycle(request.match_info["id"], action)
        state.stats.lifecycle[(user.id, action)] += 1
    if action in _SENDS_ACTIVATION:
        return answer(activation_json(origin(request), send_email))
    return no_content(200)


async def delete_user(request: web.Request) -> web.Response:
    """DELETE /api/v1/users/{id}: deactivates a user not yet DEPROVISIONED, else deletes it."""
    state = _state(request)
    with state.lock:
        user_id = state.directory.find_user(request.match_info["id"]).id
        kept = state.directory.delete_user(user_id)
        state.stats.lifecycle[(user_id, "deactivate" if kept else "delete")] += 1
    return no_content()


async def list_user_groups(request: web.Request) -> web.Response:
    """GET /api/v1/users/{id}/groups."""
    state = _state(request)
    with state.lock:
        groups = state.directory.user_groups(request.match_info["id"])
        return answer([group_json(g, origin(request)) for g in groups])


async def list_groups(request: web.Request) -> web.Response:
    """GET /api/v1/groups (search, filter, q by name prefix)."""
    state = _state(request)
    limit = page_limit(request, state.settings.groups_page_default, 10000)
    predicates: list[Predicate] = []
    if search := request.query.get("search"):
        predicates.append(parse_search(search))
    if filter_text := request.query.get("filter"):
        predicates.append(parse_filter(filter_text, GROUP_FILTER_ATTRIBUTES))
    if q := request.query.get("q"):
        predicates.append(lambda r: str(r["profile.name"]).casefold().startswith(q.casefold()))
    with state.lock:
        groups = state.directory.list_groups(
            (lambda r: all(p(r) for p in predicates)) if predicates else None
        )
        page, links = paginate(
            request,
            lambda after: (g for g in groups if after is None or g.seq > after),
            _seq,
            limit,
        )
        body = [group_json(g, origin(request)) for g in page]
    return answer(body, links=links)


async def create_group(request: web.Request) -> web.Response:
    """POST /api/v1/groups: a new OKTA_GROUP."""
    state = _state(request)
    profile = _profile_of(await read_object(request))
    name, description = profile.get("name"), profile.get("description") or ""
    if not isinstance(name, str) or not isinstance(description, str):
        raise validation_failed("group", ["name: The field cannot be left blank"])
    with state.lock:
        group = state.directory.create_group(name, description)
        return answer(group_json(group, origin(request)))


async def get_group(request: web.Request) -> web.Response:
    """GET /api/v1/groups/{groupId}."""
    state = _state(request)
    with state.lock:
        group = state.directory.find_group(request.match_info["groupId"])
        return answer(group_json(group, origin(request)))


async def list_members(request: web.Request) -> web.Response:
    """GET /api/v1/groups/{groupId}/users."""
    state = _state(request)
    limit = page_limit(request, state.settings.members_page_default, 10000)
    with state.lock:
        group_id = request.match_info["groupId"]
        page, links = paginate(
            request, lambda after: state.directory.group_members(group_id, after), _seq, limit
        )
        body = [user_json(u, origin(request)) for u in page]
    return answer(body, links=links)


async def add_member(request: web.Request) -> web.Response:
    """PUT /api/v1/groups/{groupId}/users/{userId}: 204, also when already a member."""
    state = _state(request)
    with state.lock:
        state.directory.add_member(request.match_info["groupId"], request.match_info["userId"])
    return no_content()


async def remove_member(request: web.Request) -> web.Response:
    """DELETE /api/v1/groups/{groupId}/users/{userId}: 204."""
    state = _state(request)
    with state.lock:
        state.directory.remove_member(request.match_info["groupId"], request.match_info["userId"])
    return no_content()


async def get_user_schema(request: web.Request) -> web.Response:
    """GET /api/v1/meta/schemas/user/{schemaId}: only the default user type's schema."""
    state = _state(request)
    schema_id = request.match_info["schemaId"]
    if schema_id != "default":
        raise not_found("UserSchema", schema_id)
    with state.lock:
        custom = sorted(state.directory.custom_attributes)
    return answer(user_schema_json(custom, origin(request)))


def add_routes(app: web.Application) -> None:
    """Register every endpoint of the fake on ``app``."""
    app.router.add_get("/api/v1/users", list_users)
    app.router.add_post("/api/v1/users", create_user)
    app.router.add_get("/api/v1/users/{id}", get_user)
    app.router.add_post("/api/v1/users/{id}", update_user)
    app.router.add_put("/api/v1/users/{id}", update_user)
    app.router.add_delete("/api/v1/users/{id}", delete_user)
    app.router.add_post("/api/v1/users/{id}/lifecycle/{action}", lifecycle)
    app.router.add_get("/api/v1/users/{id}/groups", list_user_groups)
    app.router.add_get("/api/v1/groups", list_groups)
    app.router.add_post("/api/v1/groups", create_group)
    app.router.add_get("/api/v1/groups/{groupId}", get_group)
    app.router.add_get("/api/v1/groups/{groupId}/users", list_members)
    app.router.add_put("/api/v1/groups/{groupId}/users/{userId}", add_member)
    app.router.add_delete("/api/v1/groups/{groupId}/users/{userId}", remove_member)
    app.router.add_get("/api/v1/meta/schemas/user/{schemaId}", get_user_schema)


def _seq(record: UserRecord | GroupRecord) -> int:
    return record.seq
