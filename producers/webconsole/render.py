"""Rendering pages: the templates with the signed-in account, its CSRF token and its messages."""

from __future__ import annotations

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
    messages: list[str] = []
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


def flash(request: web.Request, message: str) -> None:
    """Show ``message`` once on the next page this account opens."""
    account = request[ACCOUNT]
    client = request.app[STATE].stores.client
    key = constants.console_flash_key(account.name)
    with client.pipeline() as pipe:
        pipe.rpush(key, message)
        pipe.expire(key, FLASH_TTL_S)
        pipe.execute()


def _take_flash(request: web.Request, name: str) -> list[str]:
    client = request.app[STATE].stores.client
    key = constants.console_flash_key(name)
    with client.pipeline() as pipe:
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        raw, _ = pipe.execute()
    return [item.decode() if isinstance(item, bytes) else str(item) for item in raw]


def redirect(location: str) -> web.HTTPSeeOther:
    """Post/redirect/get: a change answers with the page that shows its result."""
    return web.HTTPSeeOther(location)
