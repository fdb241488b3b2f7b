"""Settings: every setting of the configuration reference, edited in the working copy."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiohttp import web

from config.loader import parse_config
from producers.webconsole.editing import Editing
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.settings_form import apply, sections
from shared.errors import ConfigError
from shared.infra.config_store import canonical


def problems_by_path(error: ConfigError) -> dict[str, list[str]]:
    """A configuration's problems, keyed by the setting's dotted path."""
    found: dict[str, list[str]] = defaultdict(list)
    for path, message in error.problems:
        found[path].append(message)
    return dict(found)


async def show(request: web.Request) -> web.Response:
    """The settings form with the working copy's values."""
    editing = Editing.of(request)
    return page(
        request,
        "settings.html",
        sections=sections(editing.copy.document),
        errors={},
        unsaved=editing.unsaved(),
    )


async def save(request: web.Request) -> web.StreamResponse:
    """Validate the submitted settings; keep them in the working copy, or show every problem."""
    editing = Editing.of(request)
    form = await request.post()
    submitted = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    document = apply(editing.copy.document, submitted)
    try:
        config = parse_config(document, source="settings")
    except ConfigError as error:
        errors: dict[str, Any] = problems_by_path(error)
        return page(
            request,
            "settings.html",
            status=400,
            sections=sections(document),
            errors=errors,
            unsaved=editing.unsaved(),
        )
    editing.copy.document = canonical(config)
    editing.keep()
    flash(request, "Settings kept in your unsaved settings; Save Settings to apply them.")
    raise redirect("/settings")


ROUTES = [get("/settings", show), post("/settings", save, "admin")]
