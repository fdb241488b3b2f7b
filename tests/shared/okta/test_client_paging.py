"""The client pages by following Link headers exactly, and never leaves the org's host."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from shared.errors import ApiError
from shared.okta import NoopRateLimiter, OktaClient
from sim.server import BackgroundServer
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, settings_for, with_client


def test_1050_users_come_in_six_pages_of_at_most_200(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    for i in range(1050):
        state.add_user({"login": f"user{i:04d}@example.com", "email": f"user{i:04d}@example.com"})
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> tuple[list[int], list[str]]:
        sizes: list[int] = []
        logins: list[str] = []
        async for page in client.list_user_pages():
            sizes.append(len(page))
            logins += [user.login for user in page]
        return sizes, logins

    sizes, logins = with_client(server, scenario)
    assert sizes == [200, 200, 200, 200, 200, 50]
    assert logins == [f"user{i:04d}@example.com" for i in range(1050)]
    assert state.counters().calls == {("users-list-create", "GET"): 6}


def test_a_search_is_kept_across_pages(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    for i in range(30):
        department = "Sales" if i % 3 == 0 else "Eng"
        state.add_user({"login": f"u{i}@example.com", "email": f"u{i}@example.com",
                        "department": department})  # fmt: skip
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> list[str]:
        found = client.list_users(search='profile.department eq "Sales"', limit=4)
        return [user.login async for user in found]

    assert with_client(server, scenario) == [f"u{i}@example.com" for i in range(0, 30, 3)]
    assert state.counters().calls == {("users-list-create", "GET"): 3}


def list_users_from(page: Callable[[web.Request], Awaitable[web.Response]]) -> None:
    """List every user from a server whose /api/v1/users answers with ``page``."""
    app = web.Application()
    app.router.add_get("/api/v1/users", page)

    async def scenario(server: BackgroundServer) -> None:
        async with aiohttp.ClientSession() as session:
            client = OktaClient(settings_for(server), session, NoopRateLimiter())
            async for _ in client.list_user_pages():
                pass

    with BackgroundServer(app) as server:
        asyncio.run(scenario(server))


def test_a_next_link_to_another_host_is_refused() -> None:
    async def page(request: web.Request) -> web.Response:
        response = web.json_response([])
        response.headers["Link"] = '<https://evil.example/api/v1/users?after=x>; rel="next"'
        return response

    with pytest.raises(ApiError, match="refusing to send"):
        list_users_from(page)


@pytest.mark.parametrize("body", [{"errorCode": "E0000009"}, [{"login": "no-id"}], "users"])
def test_a_page_that_is_not_a_list_of_users_is_refused_not_read_as_no_users(body: object) -> None:
    """Read as an empty page, it would make every user of the org look absent."""

    async def page(request: web.Request) -> web.Response:
        return web.json_response(body)

    with pytest.raises(ApiError, match="not with a list of users"):
        list_users_from(page)
