"""What the editing pages share: the active version, the account's working copy, its rules, and
the shape of their handlers (read a form, check it, keep it in the working copy or show why not)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from config.loader import parse_config
from producers.webconsole.current import Current, current
from producers.webconsole.guard import account_of
from producers.webconsole.org_knowledge import unknown_in
from producers.webconsole.problems import Problem, TextKind, filter_problems, source_problems
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.state import STATE
from producers.webconsole.working import WorkingCopies, WorkingCopy
from shared.core.rules import Rules
from shared.errors import ConfigError


@dataclass
class Editing:
    """One request's view of the settings: the active version and the account's working copy."""

    account: str
    active: Current
    copy: WorkingCopy
    copies: WorkingCopies

    @classmethod
    def of(cls, request: web.Request) -> Editing:
        """The editing state of the signed-in account."""
        state = request.app[STATE]
        active = current(state)
        copies = WorkingCopies(state.stores.client)
        name = account_of(request).name
        return cls(name, active, copies.load(name, active.version), copies)

    def keep(self) -> None:
        """Store the edited working copy."""
        self.copies.keep(self.account, self.copy)

    def unsaved(self) -> int:
        """How many settings differ from the active version."""
        return len(self.copy.changes(self.active.version))

    def rules(self) -> Rules:
        """The working copy's rules when it is valid as a whole, else the active version's."""
        try:
            return Rules.build(parse_config(self.copy.document))
        except ConfigError:
            return Rules.build(self.active.loaded.config)


async def posted(request: web.Request, names: Iterable[str]) -> dict[str, str]:
    """The form's values of ``names``, trimmed ("" when absent)."""
    form = await request.post()
    return {name: str(form.get(name, "")).strip() for name in names}


async def text_problems(request: web.Request, text: str, kind: TextKind) -> list[Problem]:
    """A filter's or source's syntax problems, else the unknown ChartHop fields it reads."""
    problems = filter_problems(text) if kind == "filter" else source_problems(text)
    if problems:
        return problems
    state = request.app[STATE]
    return await unknown_in(state.knowledge, current(state).loaded, text, kind)


async def add_unknown_fields(
    request: web.Request, errors: dict[str, Any], name: str, text: str, kind: TextKind
) -> None:
    """Once ``name``'s syntax is right, the ChartHop fields it reads that the org lacks."""
    if name not in errors and (unknown := await text_problems(request, text, kind)):
        errors[name] = unknown


def form_page(
    request: web.Request, template: str, errors: dict[str, Any], **context: Any
) -> web.Response:
    """An edit form, answered 400 while it shows errors."""
    return page(request, template, status=400 if errors else 200, errors=errors, **context)


def kept(editing: Editing, request: web.Request, message: str, listing: str) -> web.HTTPSeeOther:
    """Store the edited working copy, say what changed, and go back to the listing."""
    editing.keep()
    flash(request, message)
    return redirect(listing)
