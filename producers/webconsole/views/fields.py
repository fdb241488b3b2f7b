"""Sync Profile Fields: each Okta attribute and the ChartHop field, expression or template."""

from __future__ import annotations

import difflib
import re
from typing import Any

from aiohttp import web

from producers.webconsole.current import current
from producers.webconsole.editing import Editing, add_unknown_fields, form_page, kept, posted
from producers.webconsole.preview import preview
from producers.webconsole.problems import Problem, source_problems
from producers.webconsole.render import flash, page
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE
from shared.carrot import compile_source
from shared.errors import CarrotError, HopsyncError

_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


def _fields(editing: Editing) -> dict[str, str]:
    fields: dict[str, str] = editing.copy.document.setdefault("profile_fields", {})
    return fields


async def schema_flags(request: web.Request, attributes: list[str]) -> dict[str, str]:
    """Attribute -> why it is flagged: Okta's user schema lacks it (empty when unread)."""
    state = request.app[STATE]
    schema = await state.knowledge.schema(current(state).loaded)
    if schema is None:
        return {}
    flags = {}
    for attribute in attributes:
        if attribute not in schema:
            close = difflib.get_close_matches(attribute, sorted(schema), n=1, cutoff=0.7)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            flags[attribute] = (
                f"Okta's user schema has no attribute {attribute!r}{hint}; add it in Okta's "
                "Profile Editor or fix the name"
            )
    return flags


async def listing(request: web.Request) -> web.Response:
    """The working copy's profile fields, each flagged when Okta's user schema lacks it."""
    editing = Editing.of(request)
    match = editing.copy.document.get("match", {}).get("okta_attribute", "login")
    fields = _fields(editing)
    return page(
        request,
        "fields.html",
        fields=fields,
        match=match,
        unsaved=editing.unsaved(),
        flags=await schema_flags(request, list(fields)),
    )


def _form(
    request: web.Request,
    original: str | None,
    field: dict[str, str],
    errors: dict[str, Any],
    rows: list[Any] | None = None,
) -> web.Response:
    return form_page(request, "field_form.html", errors, original=original, field=field, rows=rows)


async def new_form(request: web.Request) -> web.Response:
    """An empty field form."""
    return _form(request, None, {"attribute": "", "source": ""}, {})


async def edit_form(request: web.Request) -> web.Response:
    """A field's form."""
    editing = Editing.of(request)
    attribute = _existing(request, editing)
    return _form(
        request, attribute, {"attribute": attribute, "source": _fields(editing)[attribute]}, {}
    )


def _existing(request: web.Request, editing: Editing) -> str:
    attribute = request.match_info["attribute"]
    if attribute not in _fields(editing):
        raise web.HTTPNotFound(text="no such profile field in your working copy")
    return attribute


def field_errors(attribute: str, source: str, others: dict[str, str]) -> dict[str, Any]:
    """Field -> problems of a profile field being kept; empty when it can be kept."""
    errors: dict[str, Any] = {}
    if not _ATTRIBUTE.match(attribute):
        errors["attribute"] = [
            Problem("an Okta attribute name: a letter, then letters, digits or _")
        ]
    elif attribute in others:
        errors["attribute"] = [Problem(f"{attribute} is already synced; edit it instead")]
    problems = source_problems(source)
    if problems:
        errors["source"] = problems
    return errors


async def save(request: web.Request) -> web.StreamResponse:
    """Add or change a profile field in the working copy."""
    editing = Editing.of(request)
    field = await posted(request, ("attribute", "source"))
    original = _existing(request, editing) if "attribute" in request.match_info else None
    fields = _fields(editing)
    others = {name: value for name, value in fields.items() if name != original}
    errors = field_errors(field["attribute"], field["source"], others)
    await add_unknown_fields(request, errors, "source", field["source"], "source")
    if errors:
        return _form(request, original, field, errors)
    if original is not None and original != field["attribute"]:
        del fields[original]
    fields[field["attribute"]] = field["source"]
    for flag in (await schema_flags(request, [field["attribute"]])).values():
        flash(request, f"Warning: {flag}.", error=True)
    message = f"Field {field['attribute']} kept in your unsaved settings; Save Settings to apply."
    raise kept(editing, request, message, "/fields")


async def remove(request: web.Request) -> web.StreamResponse:
    """Remove a profile field from the working copy."""
    editing = Editing.of(request)
    attribute = _existing(request, editing)
    del _fields(editing)[attribute]
    raise kept(
        editing, request, f"Field {attribute} removed from your unsaved settings.", "/fields"
    )


async def preview_values(request: web.Request) -> web.Response:
    """The form again, with the values its source gives a few real people."""
    editing = Editing.of(request)
    field = await posted(request, ("attribute", "source", "original"))
    original = field.pop("original") or None
    errors: dict[str, Any] = {}
    problems = source_problems(field["source"])
    if problems:
        return _form(request, original, field, {"source": problems})
    rules = editing.rules()
    try:
        compiled = compile_source(field["source"], clock=rules.clock)
        rows = await preview(editing.active.loaded, rules, compiled)
    except (CarrotError, HopsyncError) as error:
        errors = {"source": [Problem(f"the preview could not finish: {error}")]}
        rows = None
    return _form(request, original, field, errors, rows)


ROUTES = [
    get("/fields", listing),
    get("/fields/new", new_form),
    get("/fields/{attribute}", edit_form),
    post("/fields/preview", preview_values, "viewer"),
    post("/fields/new", save, "admin"),
    post("/fields/{attribute}/remove", remove, "admin"),
    post("/fields/{attribute}", save, "admin"),
]
