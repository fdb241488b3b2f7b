"""Signing in and out."""

from __future__ import annotations

import asyncio
import hmac
import secrets

from aiohttp import web

from producers.webconsole.guard import COOKIE, set_session_cookie
from producers.webconsole.render import page
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE


def safe_next(target: str) -> str:
    """Where to go after signing in: a path of this console only (never another site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/runs"


SIGNIN_COOKIE = "hopsync_signin"


def signin_page(
    request: web.Request, *, status: int = 200, error: str = "", name: str = "", target: str = ""
) -> web.Response:
    """The form, with a token in a cookie and in the form (a forged sign-in has neither).

    The browser's token is kept when it has one, so two sign-in tabs do not undo each other.
    """
    token = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(24)
    response = page(
        request, "signin.html", status=status, error=error, name=name, next=target, token=token
    )
    secure = request.app[STATE].options.secure_cookies
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/signin"
    )
    return response


async def signin_form(request: web.Request) -> web.Response:
    """The sign-in form."""
    return signin_page(request, target=request.query.get("next", ""))


async def signin(request: web.Request) -> web.StreamResponse:
    """Check the password (rate-limited), start a session, set its cookie."""
    state = request.app[STATE]
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    address = request.remote or "unknown"
    sent, kept = str(form.get("signin_token", "")), request.cookies.get(SIGNIN_COOKIE, "")
    if not sent or not hmac.compare_digest(sent.encode(), kept.encode()):
        error = "The sign-in form had expired. Please sign in again."
        return signin_page(request, status=403, error=error, name=name, target=target)
    wait = state.limits.blocked_for(name, address)
    if wait:
        minutes = max(1, round(wait / 60))
        error = f"Too many failed sign-ins. Try again in about {minutes} minute(s)."
        return signin_page(request, status=429, error=error, name=name, target=target)
    # argon2id takes tens of milliseconds and 64 MiB on purpose: off the event loop.
    account = await asyncio.to_thread(state.accounts.verify, name, password)
    if account is None:
        state.limits.failed(name, address)
        error = "Wrong account name or password."
        return signin_page(request, status=401, error=error, name=name, target=target)
    state.limits.succeeded(name)
    token, _ = state.sessions.start(account.name)
    state.audit.record(account.name, "signed in", [f"account:{account.name}"])
    response = web.HTTPSeeOther(target)
    set_session_cookie(response, token, secure=state.options.secure_cookies)
    raise response


async def signout(request: web.Request) -> web.StreamResponse:
    """End the session and forget the cookie."""
    request.app[STATE].sessions.end(request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther("/signin")
    response.del_cookie(COOKIE, path="/")
    raise response


async def home(request: web.Request) -> web.StreamResponse:
    """The console opens on the runs."""
    raise web.HTTPSeeOther("/runs")


async def healthz(request: web.Request) -> web.Response:
    """Liveness for the container's health check: the process answers and Redis answers."""
    request.app[STATE].stores.client.ping()
    return web.json_response({"ok": True})


ROUTES = [
    get("/signin", signin_form),
    web.post("/signin", signin),  # public: it is how a session starts
    post("/signout", signout, "viewer"),
    get("/", home),
    get("/healthz", healthz),
]
