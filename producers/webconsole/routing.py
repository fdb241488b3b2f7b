"""Routes declared with the role they need, so the guard can refuse on the server."""

from __future__ import annotations

from aiohttp import web

from producers.webconsole.accounts import Role
from producers.webconsole.guard import Handler, needs


def get(path: str, handler: Handler, role: Role = "viewer") -> web.RouteDef:
    """A read: needs ``role`` (viewer unless said)."""
    return web.get(path, needs(role)(handler))


def post(path: str, handler: Handler, role: Role) -> web.RouteDef:
    """A change or an action: the role it needs is always stated."""
    return web.post(path, needs(role)(handler))
