"""Accounts (admin): add one, change a role, remove one; and the whole audit trail."""

from __future__ import annotations

import asyncio

from aiohttp import web

from producers.webconsole.accounts import ROLES, AccountError, Role
from producers.webconsole.guard import account_of
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE


async def listing(request: web.Request) -> web.Response:
    """Every account, and the form to add one."""
    state = request.app[STATE]
    return page(
        request,
        "accounts.html",
        accounts=state.accounts.all(),
        roles=ROLES,
        trail=state.audit.about("accounts"),
    )


def _role(value: object) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise web.HTTPBadRequest(text=f"unknown role {value!r}; one of {', '.join(ROLES)}")


async def add(request: web.Request) -> web.StreamResponse:
    """Create an account."""
    state = request.app[STATE]
    form = await request.post()
    name, role = str(form.get("name", "")).strip(), _role(form.get("role"))
    try:
        await asyncio.to_thread(state.accounts.add, name, str(form.get("password", "")), role)
    except AccountError as error:
        flash(request, f"Not added: {error}", error=True)
        raise redirect("/accounts") from None
    state.audit.record(
        account_of(request).name, f"added account {name} ({role})", ["accounts", f"account:{name}"]
    )
    flash(request, f"Account {name} ({role}) added.")
    raise redirect("/accounts")


async def change(request: web.Request) -> web.StreamResponse:
    """Change an account's role, or remove it (never one's own: an admin stays)."""
    state = request.app[STATE]
    form = await request.post()
    name, me = request.match_info["name"], account_of(request).name
    if name == me:
        flash(request, "You cannot change or remove your own account here.", error=True)
        raise redirect("/accounts")
    if form.get("remove") == "1":
        state.accounts.remove(name)
        action = f"removed account {name}"
    else:
        role = _role(form.get("role"))
        try:
            state.accounts.set_role(name, role)
        except AccountError as error:
            flash(request, str(error))
            raise redirect("/accounts") from None
        action = f"made {name} a {role}"
    state.audit.record(me, action, ["accounts", f"account:{name}"])
    flash(request, action[0].upper() + action[1:] + ".")
    raise redirect("/accounts")


async def audit(request: web.Request) -> web.Response:
    """The audit trail, newest first."""
    return page(request, "audit.html", trail=request.app[STATE].audit.recent(300))


ROUTES = [
    get("/accounts", listing, "admin"),
    post("/accounts", add, "admin"),
    post("/accounts/{name}", change, "admin"),
    get("/audit", audit),
]
