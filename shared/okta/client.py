"""Async Okta client for the calls hopsync needs: users, their profiles, groups and memberships.

Every call goes through OktaTransport (auth, rate limiting, retries). Lists follow the Link
header's rel="next" URL exactly as Okta sent it. Creates never create twice: when a create's
answer is lost or reports a duplicate, the login (or group name) is looked up first.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import structlog
import yarl
from pydantic import TypeAdapter, ValidationError

from shared.errors import ApiError, OktaError, OktaNotFoundError, OktaServerError, TransportError
from shared.okta.clock import OktaClock
from shared.okta.counters import OktaCounters
from shared.okta.headers import next_link
from shared.okta.models import OktaClientSettings, OktaGroup, OktaUser, OktaUserRef, UserSchema
from shared.okta.profiles import creation_profile, same_login, update_changes
from shared.okta.ratelimit import LocalRateLimiter, RateLimiter
from shared.okta.retry import backoff_delay
from shared.okta.transport import Answer, OktaTransport, Sleep

log = structlog.get_logger(__name__)

USERS_PAGE_MAX = 200  # Okta's documented page maximum for users
_Item = TypeVar("_Item")


def _listed(items: TypeAdapter[Any]) -> str:
    """What a listing's adapter reads, for messages: "users", "groups"."""
    return "groups" if items is _GROUPS else "users"


_USERS: TypeAdapter[list[OktaUser]] = TypeAdapter(list[OktaUser])
_USER_REFS: TypeAdapter[list[OktaUserRef]] = TypeAdapter(list[OktaUserRef])
_GROUPS: TypeAdapter[list[OktaGroup]] = TypeAdapter(list[OktaGroup])
DUPLICATE = "E0000001"


def _segment(value: str) -> str:
    """One URL path segment, percent-encoded (logins carry @ and +)."""
    return quote(value, safe="")


def _is_duplicate(error: ApiError) -> bool:
    """True for Okta's "an object with this field already exists" answer."""
    return isinstance(error, OktaError) and error.error_code == DUPLICATE


def _query_literal(value: str) -> str:
    """A string literal for Okta's search/filter expressions."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class OktaClient:
    """The Okta Management API calls of the sync, over a caller-owned aiohttp session.

    Without a ``limiter`` the client limits itself in-process (LocalRateLimiter) with the
    settings' share and in-flight cap; workers pass the fleet's RedisRateLimiter.
    """

    def __init__(
        self,
        settings: OktaClientSettings,
        session: aiohttp.ClientSession,
        limiter: RateLimiter | None = None,
        *,
        clock: OktaClock | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.limiter: RateLimiter = limiter or LocalRateLimiter(policy=settings.rate_limit)
        self.transport = OktaTransport(
            settings, session, self.limiter, clock=clock, sleep=sleep, rand=rand
        )
        self._sleep = sleep
        self._rand = rand

    def __repr__(self) -> str:
        return (
            f"OktaClient(base_url={self.settings.root!r},"
            f" auth_scheme={self.settings.auth_scheme!r}, limiter={self.limiter!r})"
        )

    @property
    def counters(self) -> OktaCounters:
        """Tries by (bucket, status), 429s by kind and retries by reason."""
        return self.transport.counters

    # --- paging ----------------------------------------------------------------------------

    async def _pages(
        self, url: yarl.URL, items: TypeAdapter[list[_Item]]
    ) -> AsyncGenerator[list[_Item], None]:
        """Each page of a listing, its JSON validated as ``items`` straight from the bytes.

        Straight from the bytes, pydantic skips what the model ignores without building it: a
        resync reads tens of thousands of full users in member lists for their ids alone, and
        this reads them about 2.5 times faster than parsing everything first.
        """
        next_url: yarl.URL | None = url
        while next_url is not None:
            answer = await self.transport.request("GET", next_url)
            try:
                page = items.validate_json(answer.body) if answer.body else []
            except ValidationError as error:
                # Read as an empty page it would make every user look absent: refuse it.
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "(body)"
                raise ApiError(
                    f"Okta GET {next_url.path} answered 200 but not with a list of "
                    f"{_listed(items)} ({where}: {first['msg']}); check okta.url points at "
                    "the Okta API, then run again (nothing was written from this page)",
                    status=200,
                    method="GET",
                    url=str(next_url.with_query(None)),
                ) from None
            yield page
            link = next_link(answer.links)
            next_url = self.transport.follow(link) if link else None

    # --- users -----------------------------------------------------------------------------

    async def list_user_pages(
        self,
        search: str | None = None,
        limit: int = USERS_PAGE_MAX,
        *,
        filter_expression: str | None = None,
    ) -> AsyncGenerator[list[OktaUser], None]:
        """Pages of users matching ``search`` (or ``filter_expression``), all users if neither.

        Without either Okta leaves DEPROVISIONED users out; with one it includes them.
        """
        query = {"limit": str(max(1, min(limit, USERS_PAGE_MAX)))}
        if search:
            query["search"] = search
        if filter_expression:
            query["filter"] = filter_expression
        async for users in self._pages(self.transport.url("/api/v1/users", query), _USERS):
            yield users

    async def list_users(
        self, search: str | None = None, limit: int = USERS_PAGE_MAX
    ) -> AsyncGenerator[OktaUser, None]:
        """Every user matching ``search``, page after page."""
        async for page in self.list_user_pages(search, limit):
            for user in page:
                yield user

    async def get_user(self, id_or_login: str) -> OktaUser:
        """One user by id or login; raises OktaNotFoundError when there is none."""
        url = self.transport.url(f"/api/v1/users/{_segment(id_or_login)}")
        answer = await self.transport.request("GET", url)
        return OktaUser.model_validate(answer.json())

    async def current_user(self) -> OktaUser:
        """The user the API token belongs to (``GET /api/v1/users/me``), a cheap check of it."""
        url = self.transport.url("/api/v1/users/me")
        answer = await self.transport.request("GET", url)
        return OktaUser.model_validate(answer.json())

    async def user_profile_attributes(self) -> set[str]:
        """The attributes of the default user type's profile schema, base and custom."""
        url = self.transport.url("/api/v1/meta/schemas/user/default")
        answer = await self.transport.request("GET", url)
        schema = UserSchema.model_validate(answer.json())
        return {*schema.definitions.base.properties, *schema.definitions.custom.properties}

    async def find_user_by_login(self, login: str) -> OktaUser | None:
        """The user whose login is ``login`` (any case), or None.

        A GET by login is consistent, but Okta cannot fetch a login holding "/" that way: such
        a login is looked up with ``filter`` (consistent, but case-sensitive), then ``search``
        (any case, but eventually consistent).
        """
        if "/" in login:
            expression = f"profile.login eq {_query_literal(login)}"
            for search, filter_expression in ((None, expression), (expression, None)):
                pages = self.list_user_pages(search, filter_expression=filter_expression)
                async with aclosing(pages):
                    async for page in pages:
                        for user in page:
                            if same_login(user.login, login):
                                return user
            return None
        try:
            user = await self.get_user(login)
        except OktaNotFoundError:
            return None
        return user if same_login(user.login, login) else None

    async def create_user(
        self, profile: Mapping[str, Any], *, activate: bool, group_ids: Sequence[str] = ()
    ) -> OktaUser:
        """Create a user (STAGED unless ``activate``), in ``group_ids``; never twice.

        A lost answer or a 5xx may hide a create that Okta applied, and a duplicate-login
        answer may follow one: in those cases the user found by login is returned.
        """
        body: dict[str, Any] = {"profile": creation_profile(profile)}
        if group_ids:
            body["groupIds"] = list(group_ids)
        login = str(body["profile"].get("login") or "")
        url = self.transport.url("/api/v1/users", {"activate": "true" if activate else "false"})
        attempt = 0
        while True:
            outcome = await self._post_create(url, body)
            if isinstance(outcome, Answer):
                return OktaUser.model_validate(outcome.json())
            existing = await self.find_user_by_login(login) if login else None
            if existing is not None:
                log.info("okta_create_found_existing", login=login, user_id=existing.id)
                return existing
            if _is_duplicate(outcome) or attempt >= self.settings.max_retries:
                raise outcome
            s = self.settings
            pause = backoff_delay(attempt, s.backoff_base_s, s.backoff_max_s, self._rand)
            self.counters.record_retry("transport", pause)
            await self._sleep(pause)
            attempt += 1

    async def _post_create(self, url: yarl.URL, body: Any) -> Answer | ApiError:
        """The answer of a create, or the failure that calls for a look-up (raised otherwise)."""
        try:
            return await self.transport.request("POST", url, body, idempotent=False)
        except (OktaServerError, TransportError) as error:
            return error  # the create may have been applied
        except OktaError as error:
            if _is_duplicate(error):
                return error
            raise

    async def update_profile(self, user_id: str, changes: Mapping[str, Any]) -> OktaUser:
        """Partial update: only ``changes`` are sent; None clears ("" for non-nullable ones)."""
        url = self.transport.url(f"/api/v1/users/{_segment(user_id)}")
        answer = await self.transport.request("POST", url, {"profile": update_changes(changes)})
        return OktaUser.model_validate(answer.json())

    async def _lifecycle(self, user_id: str, action: str, query: Mapping[str, str]) -> Answer:
        path = f"/api/v1/users/{_segment(user_id)}/lifecycle/{action}"
        return await self.transport.request("POST", self.transport.url(path, query))

    async def activate_user(self, user_id: str, send_email: bool = False) -> None:
        """Activate a STAGED user, or reactivate a DEPROVISIONED one (no email unless asked)."""
        await self._lifecycle(user_id, "activate", {"sendEmail": str(send_email).lower()})

    async def deactivate_user(self, user_id: str) -> None:
        """Deactivate a user (destructive: Okta deprovisions their apps)."""
        await self._lifecycle(user_id, "deactivate", {"sendEmail": "false"})

    async def suspend_user(self, user_id: str) -> None:
        """Suspend an ACTIVE user (they cannot sign in; groups and apps are kept)."""
        await self._lifecycle(user_id, "suspend", {})

    async def unsuspend_user(self, user_id: str) -> None:
        """Return a SUSPENDED user to ACTIVE."""
        await self._lifecycle(user_id, "unsuspend", {})

    # --- groups ----------------------------------------------------------------------------

    async def list_groups(
        self, group_type: str = "OKTA_GROUP", search: str | None = None
    ) -> AsyncGenerator[OktaGroup, None]:
        """Every group of ``group_type`` (and matching ``search`` when given), page after page."""
        expression = f"type eq {_query_literal(group_type)}"
        if search:
            expression = f"{expression} and {search}"
        url = self.transport.url("/api/v1/groups", {"search": expression, "limit": "200"})
        async for groups in self._pages(url, _GROUPS):
            for group in groups:
                yield group

    async def find_group_by_name(self, name: str) -> OktaGroup | None:
        """The OKTA_GROUP named exactly ``name``, or None."""
        groups = self.list_groups(search=f"profile.name eq {_query_literal(name)}")
        async with aclosing(groups):
            async for group in groups:
                if group.name == name:
                    return group
        return None

    async def create_group(self, name: str, description: str = "") -> OktaGroup:
        """Create an OKTA_GROUP; never twice (an existing group of that name is returned)."""
        url = self.transport.url("/api/v1/groups")
        body = {"profile": {"name": name, "description": description}}
        outcome = await self._post_create(url, body)
        if isinstance(outcome, Answer):
            return OktaGroup.model_validate(outcome.json())
        existing = await self.find_group_by_name(name)
        if existing is None:
            raise outcome
        log.info("okta_create_found_existing_group", name=name, group_id=existing.id)
        return existing

    async def list_group_members(
        self, group_id: str, limit: int | None = None
    ) -> AsyncGenerator[OktaUser, None]:
        """Every member of a group, page after page (``settings.members_page_size`` a page)."""
        async for users in self._member_pages(group_id, limit, _USERS):
            for user in users:
                yield user

    async def list_group_member_ids(
        self, group_id: str, limit: int | None = None
    ) -> AsyncGenerator[str, None]:
        """The ids of a group's members: a resync reads tens of thousands, and needs only who."""
        async for refs in self._member_pages(group_id, limit, _USER_REFS):
            for ref in refs:
                yield ref.id

    def _member_pages(
        self, group_id: str, limit: int | None, items: TypeAdapter[list[_Item]]
    ) -> AsyncGenerator[list[_Item], None]:
        size = limit if limit is not None else self.settings.members_page_size
        path = f"/api/v1/groups/{_segment(group_id)}/users"
        return self._pages(self.transport.url(path, {"limit": str(max(1, size))}), items)

    async def list_user_groups(self, user_id: str) -> list[OktaGroup]:
        """Every group a user belongs to, Everyone and app groups included."""
        url = self.transport.url(f"/api/v1/users/{_segment(user_id)}/groups")
        return [group async for page in self._pages(url, _GROUPS) for group in page]

    async def add_member(self, group_id: str, user_id: str) -> None:
        """Add a user to an OKTA_GROUP (no error when already a member)."""
        path = f"/api/v1/groups/{_segment(group_id)}/users/{_segment(user_id)}"
        await self.transport.request("PUT", self.transport.url(path))

    async def remove_member(self, group_id: str, user_id: str) -> None:
        """Remove a user from an OKTA_GROUP."""
        path = f"/api/v1/groups/{_segment(group_id)}/users/{_segment(user_id)}"
        await self.transport.request("DELETE", self.transport.url(path))
