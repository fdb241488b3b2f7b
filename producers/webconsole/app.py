"""The console's aiohttp application: its guard, its pages and its own static assets."""

from __future__ import annotations

from pathlib import Path

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from producers.webconsole import starting
from producers.webconsole.guard import guard, security_headers
from producers.webconsole.render import page_without_account
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
from shared.infra.preflight import shown_url
from shared.infra.redis_client import REDIS_DOWN

log = structlog.get_logger(__name__)
STATIC = Path(__file__).parent / "static"
PAGES = (signin, connection, groups, fields, settings, versions, runs, letters, export, accounts)


@web.middleware
async def redis_down(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Redis unreachable: a page that says so and what to do (503), not a bare server error."""
    try:
        return await handler(request)
    except REDIS_DOWN as error:
        url = shown_url(request.app[STATE].loaded.secrets.redis_url)
        log.warning("console: Redis does not answer", url=url, error=type(error).__name__)
        return page_without_account(
            request, "unavailable.html", status=503, url=url, error=type(error).__name__
        )


def create_app(state: ConsoleState) -> web.Application:
    """The console application on a ready state."""
    app = web.Application(middlewares=[security_headers, redis_down, guard])
    app[STATE] = state
    starting.install(app)
    for module in PAGES:
        app.add_routes(module.ROUTES)
    app.router.add_static("/static/", STATIC, append_version=False)
    return app
