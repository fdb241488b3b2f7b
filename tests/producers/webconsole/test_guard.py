"""The guard, without a browser: sign-in first, Secure cookies behind TLS, no open redirect, and a
route that forgets to declare its role needs admin for a change."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from config.loader import LoadedConfig, Secrets, parse_config
from harness.world import DEFAULT_CONFIG
from producers.webconsole.app import create_app
from producers.webconsole.guard import needed_role
from producers.webconsole.state import ConsoleOptions, ConsoleState
from producers.webconsole.views.signin import safe_next

PASSWORD = "a long enough password"
Check = Callable[[TestClient[web.Request, web.Application]], Awaitable[None]]


def run(redis_url: str, check: Check, *, secure: bool = False) -> None:
    loaded = LoadedConfig(
        config=parse_config(DEFAULT_CONFIG), secrets=Secrets(redis_url=redis_url), path="test"
    )
    state = ConsoleState.create(loaded, ConsoleOptions(secure_cookies=secure))
    state.accounts.add("ada", PASSWORD, "admin")

    async def go() -> None:
        async with TestClient(TestServer(create_app(state))) as client:
            await check(client)

    asyncio.run(go())


async def sign_in(client: TestClient[web.Request, web.Application]) -> web.StreamResponse:
    form = await (await client.get("/signin")).text()
    token = re.search(r'name="signin_token" value="([^"]+)"', form)
    assert token is not None
    # Sent by hand: a Secure cookie is not sent back over the test's plain HTTP.
    return await client.post(
        "/signin",
        data={"name": "ada", "password": PASSWORD, "signin_token": token[1], "next": "/groups"},
        headers={"Cookie": f"hopsync_signin={token[1]}"},
        allow_redirects=False,
    )


def test_a_page_without_a_session_sends_to_sign_in_and_a_change_is_refused(
    redis_url: str,
) -> None:
    async def check(client: TestClient[web.Request, web.Application]) -> None:
        page = await client.get("/groups", allow_redirects=False)
        assert page.status == 303 and page.headers["Location"] == "/signin?next=/groups"
        change = await client.post("/runs", data={"dry_run": "1"})
        assert change.status == 401

    run(redis_url, check)


def test_behind_tls_the_session_cookie_is_secure_httponly_and_strict(redis_url: str) -> None:
    async def check(client: TestClient[web.Request, web.Application]) -> None:
        answer = await sign_in(client)
        assert answer.status == 303 and answer.headers["Location"] == "/groups"
        cookie = next(
            line
            for line in answer.headers.getall("Set-Cookie")
            if line.startswith("hopsync_console=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie

    run(redis_url, check, secure=True)


def test_a_sign_in_without_the_form_token_is_refused(redis_url: str) -> None:
    async def check(client: TestClient[web.Request, web.Application]) -> None:
        answer = await client.post(
            "/signin", data={"name": "ada", "password": PASSWORD}, allow_redirects=False
        )
        assert answer.status == 403
        assert "hopsync_console" not in answer.cookies

    run(redis_url, check)


def test_after_sign_in_only_a_path_of_the_console_is_followed() -> None:
    assert safe_next("/runs/abc?outcome=failed") == "/runs/abc?outcome=failed"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", "runs"):
        assert safe_next(target) == "/runs", target


def test_a_route_that_declares_no_role_needs_admin_to_change_and_viewer_to_read() -> None:
    async def undeclared(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/x", undeclared)

    def role(method: str) -> str:
        request = make_request(app, method)
        return needed_role(request)

    assert role("POST") == "admin" and role("DELETE") == "admin"
    assert role("GET") == "viewer"


def make_request(app: web.Application, method: str) -> web.Request:
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request(method, "/x", app=app)
    match = asyncio.run(app.router.resolve(request))
    request._match_info = match  # the router's answer, as the server sets it
    return request
