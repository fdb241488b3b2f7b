"""Who may do what: sign-in, roles and CSRF, enforced by the server on every request.

Every route declares the role it needs (``route(...)``); a route without one needs admin for a
change and viewer for a read, so a forgotten declaration fails closed. A change (any method but
GET/HEAD) must carry the session's CSRF token in the ``csrf_token`` form field or the
``X-CSRF-Token`` header; cookies are SameSite=Strict as a second line.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from producers.webconsole.accounts import Account, Role, role_allows
from producers.webconsole.sessions import Session
from producers.webconsole.state import STATE

COOKIE: Final = "hopsync_console"
PUBLIC_PREFIXES: Final = ("/static/", "/signin", "/healthz")
READS: Final = frozenset({"GET", "HEAD"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_NEEDS: dict[Handler, Role] = {}
SESSION = web.RequestKey("console_session", Session)
ACCOUNT = web.RequestKey("console_account", Account)


def needs(role: Role) -> Callable[[Handler], Handler]:
    """Declare the role a handler needs."""

    def mark(handler: Handler) -> Handler:
        _NEEDS[handler] = role
        return handler

    return mark


def needed_role(request: web.Request) -> Role:
    """The role the matched handler declared; admin for an undeclared change."""
    handler = request.match_info.route.handler
    declared = _NEEDS.get(handler)
    if declared is not None:
        return declared
    return "viewer" if request.method in READS else "admin"


def signed_in(request: web.Request) -> tuple[Session, Account]:
    """The session and account of a request the guard let through."""
    return request[SESSION], request[ACCOUNT]


def account_of(request: web.Request) -> Account:
    """The signed-in account of a request."""
    return request[ACCOUNT]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse anyone not signed in, a change without the CSRF token, and a role too low."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return await handler(request)
    state = request.app[STATE]
    token = request.cookies.get(COOKIE, "")
    session = state.sessions.get(token) if token else None
    account = state.accounts.get(session.account) if session else None
    if session is None or account is None:
        if request.method in READS:
            raise web.HTTPSeeOther(f"/signin?next={request.rel_url}")
        raise web.HTTPUnauthorized(text="sign in first: your session has ended")
    if request.method not in READS and not await _csrf_ok(request, session):
        raise web.HTTPForbidden(
            text="refused: this change did not carry the page's CSRF token; reload the page and "
            "try again"
        )
    role = needed_role(request)
    if not role_allows(account.role, role):
        raise web.HTTPForbidden(
            text=f"refused: {account.name} is a {account.role}; this needs the {role} role"
        )
    request[SESSION] = session
    request[ACCOUNT] = account
    return await handler(request)


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get("csrf_token", "")
        sent = value if isinstance(value, str) else ""
    return bool(sent) and hmac.compare_digest(sent.encode(), session.csrf.encode())


def set_session_cookie(response: web.StreamResponse, token: str, *, secure: bool) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure behind TLS, for the whole console."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=secure, path="/")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No framing, no sniffing, no third-party anything: the console loads only its own assets."""
    response = await handler(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
