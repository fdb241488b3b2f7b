"""Connection: the Okta domain, whether each secret is set (never its value), Test connection."""

from __future__ import annotations

from aiohttp import web

from producers.webconsole.current import current
from producers.webconsole.guard import account_of
from producers.webconsole.render import page
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE
from shared.infra.preflight import run_checks, summary_line


def _secrets_set(request: web.Request) -> list[tuple[str, bool]]:
    secrets = request.app[STATE].loaded.secrets
    return [
        ("OKTA_API_TOKEN", secrets.okta_api_token is not None),
        ("CHARTHOP_API_TOKEN", secrets.charthop_api_token is not None),
        ("HOPSYNC_WEBHOOK_SECRET", secrets.webhook_secret is not None),
        ("SMTP_PASSWORD", secrets.smtp_password is not None),
    ]


async def show(request: web.Request) -> web.Response:
    """The connection settings and the secrets' presence."""
    config = current(request.app[STATE]).loaded.config
    return page(
        request, "connection.html", config=config, secrets=_secrets_set(request), findings=None
    )


async def test(request: web.Request) -> web.Response:
    """Run `hopsync check`'s online checks and show each finding."""
    state = request.app[STATE]
    active = current(state)
    report = await run_checks(active.loaded)
    state.audit.record(
        account_of(request).name,
        "tested the connection",
        ["connection"],
        summary_line(report.findings),
    )
    return page(
        request,
        "connection.html",
        config=active.loaded.config,
        secrets=_secrets_set(request),
        findings=report.findings,
    )


ROUTES = [get("/connection", show), post("/connection/test", test, "viewer")]
