"""The console's aiohttp application: its guard, its pages and its own static assets."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from producers.webconsole import starting
from producers.webconsole.guard import guard, security_headers
from producers.webconsole.state import STATE, ConsoleState
from producers.webconsole.views import (
    accounts,
    connection,
    export,
    fields,
    groups,
    letters,
    runs,
    settings,
    signin,
    versions,
)

STATIC = Path(__file__).parent / "static"
PAGES = (signin, connection, groups, fields, settings, versions, runs, letters, export, accounts)


def create_app(state: ConsoleState) -> web.Application:
    """The console application on a ready state."""
    app = web.Application(middlewares=[security_headers, guard])
    app[STATE] = state
    starting.install(app)
    for module in PAGES:
        app.add_routes(module.ROUTES)
    app.router.add_static("/static/", STATIC, append_version=False)
    return app
