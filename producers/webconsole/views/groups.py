"""Sync Groups: the managed groups of the working copy; add, edit, remove; Test a filter."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from producers.webconsole.datasheet import data_sheet
from producers.webconsole.editing import (
    Editing,
    add_unknown_fields,
    form_page,
    kept,
    posted,
    text_problems,
)
from producers.webconsole.problems import Problem, TextKind, filter_problems
from producers.webconsole.render import page
from producers.webconsole.routing import get, post
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
    return form_page(request, "group_form.html", errors, index=index, group=group)


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
    group = await posted(request, ("name", "query", "description"))
    groups = _groups(editing)
    index = _index(request, editing) if "index" in request.match_info else None
    errors = group_errors(group, [g for i, g in enumerate(groups) if i != index])
    await add_unknown_fields(request, errors, "query", group["query"], "filter")
    if errors:
        return _form(request, index, group, errors)
    if index is None:
        groups.append(group)
    else:
        groups[index] = {**groups[index], **group}
    message = f"Group {group['name']} kept in your unsaved settings; Save Settings to apply."
    raise kept(editing, request, message, "/groups")


async def remove(request: web.Request) -> web.StreamResponse:
    """Remove a group from the working copy."""
    editing = Editing.of(request)
    index = _index(request, editing)
    removed = _groups(editing).pop(index)
    raise kept(
        editing, request, f"Group {removed['name']} removed from your unsaved settings.", "/groups"
    )


async def test(request: web.Request) -> web.Response:
    """The data sheet of a filter: who it selects, and who Okta's group would gain and lose."""
    editing = Editing.of(request)
    name, query = (await posted(request, ("name", "query"))).values()
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


async def check_filter(request: web.Request) -> web.Response:
    """Inline errors of a filter as it is typed."""
    return await _inline(request, "filter")


async def check_source(request: web.Request) -> web.Response:
    """Inline errors of a profile field's source as it is typed."""
    return await _inline(request, "source")


async def _inline(request: web.Request, kind: TextKind) -> web.Response:
    form = await request.post()  # not trimmed: the columns are the typed text's
    problems = await text_problems(request, str(form.get("text", "")), kind)
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
