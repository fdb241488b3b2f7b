"""Rendering pages: the templates with the signed-in account, its CSRF token and its messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from producers.webconsole.accounts import role_allows
from producers.webconsole.guard import ACCOUNT, SESSION
from producers.webconsole.state import STATE
from shared import constants

NAV: Final = (
    ("/connection", "Connection"),
    ("/groups", "Sync Groups"),
    ("/fields", "Profile Fields"),
    ("/settings", "Settings"),
    ("/review", "Save Settings"),
    ("/history", "History"),
    ("/runs", "Runs"),
    ("/letters", "Failed messages"),
    ("/export", "Export"),
    ("/accounts", "Accounts"),
    ("/audit", "Audit"),
)
FLASH_TTL_S: Final = 120


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """A page of the console, with the navigation, the account and its one-time messages."""
    state = request.app[STATE]
    account = request.get(ACCOUNT)
    session = request.get(SESSION)
    messages: list[Flash] = []
    if account is not None:
        messages = _take_flash(request, account.name)
    html = state.templates.get_template(template).render(
        account=account,
        csrf=session.csrf if session else "",
        nav=NAV,
        here=request.path,
        messages=messages,
        can=lambda role: account is not None and role_allows(account.role, role),
        **context,
    )
    return web.Response(text=html, content_type="text/html", status=status)


@dataclass(frozen=True)
class Flash:
    """A message shown once: what was done, or (``error``) what was refused or failed."""

    text: str
    error: bool = False


def flash(request: web.Request, message: str, *, error: bool = False) -> None:
    """Show ``message`` once on the next page this account opens (as an error when ``error``)."""
    account = request[ACCOUNT]
    client = request.app[STATE].stores.client
    key = constants.console_flash_key(account.name)
    with client.pipeline() as pipe:
        pipe.rpush(key, json.dumps({"text": message, "error": error}))
        pipe.expire(key, FLASH_TTL_S)
        pipe.execute()


def _take_flash(request: web.Request, name: str) -> list[Flash]:
    client = request.app[STATE].stores.client
    key = constants.console_flash_key(name)
    with client.pipeline() as pipe:
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        raw, _ = pipe.execute()
    return [_flash_of(item.decode() if isinstance(item, bytes) else str(item)) for item in raw]


def _flash_of(raw: str) -> Flash:
    try:
        return Flash(**json.loads(raw))
    except (ValueError, TypeError):  # kept as plain text by a console before levels existed
        return Flash(raw)


def page_without_account(
    request: web.Request, template: str, *, status: int, **context: Any
) -> web.Response:
    """A page that needs nothing from Redis (no account, no messages): when Redis is down."""
    html = (
        request.app[STATE]
        .templates.get_template(template)
        .render(
            account=None,
            csrf="",
            nav=NAV,
            here=request.path,
            messages=[],
            can=lambda role: False,
            **context,
        )
    )
    return web.Response(text=html, content_type="text/html", status=status)


def redirect(location: str) -> web.HTTPSeeOther:
    """Post/redirect/get: a change answers with the page that shows its result."""
    return web.HTTPSeeOther(location)
