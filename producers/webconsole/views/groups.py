"""Sync Groups: the managed groups of the working copy; add, edit, remove; Test a filter."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from producers.webconsole.current import current
from producers.webconsole.datasheet import data_sheet
from producers.webconsole.editing import Editing
from producers.webconsole.org_knowledge import unknown_in
from producers.webconsole.problems import Problem, TextKind, filter_problems, source_problems
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE
from shared.carrot import compile_filter
from shared.errors import CarrotError, HopsyncError

SHEET_ROWS = 1000  # people listed on a Test page; all are counted


def _groups(editing: Editing) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = editing.copy.document.setdefault("groups", [])
    return groups


async def listing(request: web.Request) -> web.Response:
    """The working copy's groups."""
    editing = Editing.of(request)
    return page(request, "groups.html", groups=_groups(editing), unsaved=editing.unsaved())


def _form(
    request: web.Request, index: int | None, group: dict[str, Any], errors: dict[str, Any]
) -> web.Response:
    status = 400 if errors else 200
    return page(request, "group_form.html", status=status, index=index, group=group, errors=errors)


async def new_form(request: web.Request) -> web.Response:
    """An empty group form."""
    return _form(request, None, {"name": "", "query": "", "description": ""}, {})


async def edit_form(request: web.Request) -> web.Response:
    """A group's form."""
    editing = Editing.of(request)
    index = _index(request, editing)
    return _form(request, index, _groups(editing)[index], {})


def _index(request: web.Request, editing: Editing) -> int:
    index = int(request.match_info["index"])
    if not 0 <= index < len(_groups(editing)):
        raise web.HTTPNotFound(text="no such group in your working copy; reload Sync Groups")
    return index


def group_errors(group: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """Field -> problems of a group being saved; empty when it can be kept."""
    errors: dict[str, Any] = {}
    name = group["name"]
    if not name:
        errors["name"] = [Problem("a group name is required")]
    elif any(other["name"].casefold() == name.casefold() for other in others):
        errors["name"] = [Problem(f"a group named {name!r} is already synced")]
    problems = filter_problems(group["query"])
    if problems:
        errors["query"] = problems
    return errors


async def save(request: web.Request) -> web.StreamResponse:
    """Add a group, or change one, in the working copy (refused, with inline errors, when wrong)."""
    editing = Editing.of(request)
    form = await request.post()
    group = {key: str(form.get(key, "")).strip() for key in ("name", "query", "description")}
    groups = _groups(editing)
    index = _index(request, editing) if "index" in request.match_info else None
    others = [g for i, g in enumerate(groups) if i != index]
    errors = group_errors(group, others)
    if "query" not in errors:
        unknown = await text_problems(request, group["query"], "filter")
        if unknown:
            errors["query"] = unknown
    if errors:
        return _form(request, index, group, errors)
    if index is None:
        groups.append(group)
    else:
        groups[index] = {**groups[index], **group}
    editing.keep()
    flash(request, f"Group {group['name']} kept in your unsaved settings; Save Settings to apply.")
    raise redirect("/groups")


async def remove(request: web.Request) -> web.StreamResponse:
    """Remove a group from the working copy."""
    editing = Editing.of(request)
    index = _index(request, editing)
    removed = _groups(editing).pop(index)
    editing.keep()
    flash(request, f"Group {removed['name']} removed from your unsaved settings.")
    raise redirect("/groups")


async def test(request: web.Request) -> web.Response:
    """The data sheet of a filter: who it selects, and who Okta's group would gain and lose."""
    editing = Editing.of(request)
    form = await request.post()
    name, query = str(form.get("name", "")).strip(), str(form.get("query", "")).strip()
    problems = filter_problems(query)
    context: dict[str, Any] = {
        "name": name,
        "query": query,
        "problems": problems,
        "sheet": None,
        "shown": SHEET_ROWS,
    }
    if not problems:
        rules = editing.rules()
        try:
            compiled = compile_filter(query, clock=rules.clock)
            context["sheet"] = await data_sheet(editing.active.loaded, rules, compiled, name)
        except (CarrotError, HopsyncError) as error:
            context["problems"] = [Problem(f"the test could not finish: {error}")]
    return page(request, "datasheet.html", **context)


async def text_problems(request: web.Request, text: str, kind: TextKind) -> list[Problem]:
    """A filter's or source's syntax problems, else the unknown ChartHop fields it reads."""
    problems = filter_problems(text) if kind == "filter" else source_problems(text)
    if problems:
        return problems
    state = request.app[STATE]
    return await unknown_in(state.knowledge, current(state).loaded, text, kind)


async def check_filter(request: web.Request) -> web.Response:
    """Inline errors of a filter as it is typed."""
    form = await request.post()
    problems = await text_problems(request, str(form.get("text", "")), "filter")
    return web.json_response({"errors": [problem.as_json() for problem in problems]})


async def check_source(request: web.Request) -> web.Response:
    """Inline errors of a profile field's source as it is typed."""
    form = await request.post()
    problems = await text_problems(request, str(form.get("text", "")), "source")
    return web.json_response({"errors": [problem.as_json() for problem in problems]})


ROUTES = [
    get("/groups", listing),
    get("/groups/new", new_form),
    get("/groups/{index:\\d+}", edit_form),
    post("/groups/new", save, "admin"),
    post("/groups/{index:\\d+}", save, "admin"),
    post("/groups/{index:\\d+}/remove", remove, "admin"),
    post("/groups/test", test, "viewer"),
    post("/api/check/filter", check_filter, "viewer"),
    post("/api/check/source", check_source, "viewer"),
]
