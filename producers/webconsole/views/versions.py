"""Save Settings (validate, show the diff against the active version, save with a comment), and
History (versions, their diffs, rollback)."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from config.diff import diff_documents
from config.loader import parse_config
from producers.webconsole.editing import Editing
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.starting import start_resync
from producers.webconsole.state import STATE
from producers.webconsole.views.settings import problems_by_path
from shared.core.field_check import unknown_fields
from shared.errors import ConfigError, ConfigVersionNotFoundError, HopsyncError
from shared.infra.config_store import ConfigStore, ConfigVersion
from shared.infra.runs import by_console


def _problems(editing: Editing) -> dict[str, list[str]]:
    try:
        parse_config(editing.copy.document, source="your unsaved settings")
    except ConfigError as error:
        return problems_by_path(error)
    return {}


async def _unknown_fields(request: web.Request, editing: Editing) -> dict[str, list[str]]:
    """The unknown ChartHop fields the working copy reads, by path (none when ChartHop's fields
    cannot be read now: the filters were checked as they were kept)."""
    try:
        config = parse_config(editing.copy.document, source="your unsaved settings")
    except ConfigError:
        return {}  # _problems lists these
    known = await request.app[STATE].knowledge.fields(editing.active.loaded)
    if known is None:
        return {}
    found: dict[str, list[str]] = {}
    for item in unknown_fields(config, known):
        found.setdefault(item.where, []).append(item.message.splitlines()[0])
    return found


async def review(request: web.Request) -> web.Response:
    """The unsaved changes against the active version, their problems, and Save."""
    editing = Editing.of(request)
    problems = _problems(editing) or await _unknown_fields(request, editing)
    return page(
        request,
        "review.html",
        changes=editing.copy.changes(editing.active.version),
        problems=problems,
        active=editing.active.version,
        base=editing.copy.base_version,
    )


async def save(request: web.Request) -> web.StreamResponse:
    """Save the working copy as a new active version, with the comment."""
    state = request.app[STATE]
    editing = Editing.of(request)
    form = await request.post()
    comment = str(form.get("comment", "")).strip()
    changes = editing.copy.changes(editing.active.version)
    if not changes:
        flash(request, "Nothing to save: your settings are the active version's.")
        raise redirect("/review")
    if not comment:
        flash(request, "Say what this change is for: a comment is required to save.", error=True)
        raise redirect("/review")
    unknown = await _unknown_fields(request, editing)
    if unknown:  # as `hopsync config apply` refuses them (issue 14); the review page lists them
        listed = "; ".join(f"{path}: {'; '.join(found)}" for path, found in unknown.items())
        flash(
            request, f"Not saved: your settings read unknown ChartHop fields: {listed}", error=True
        )
        raise redirect("/review")
    try:
        version = state.config_store.save(
            editing.copy.document, author=editing.account, source="console", comment=comment
        )
    except ConfigError:
        flash(request, "Not saved: your settings have problems (listed below).", error=True)
        raise redirect("/review") from None
    editing.copies.discard(editing.account)
    detail = f"{len(changes)} change(s): {comment}"
    state.audit.record(
        editing.account, f"saved version {version.version}", [f"version:{version.version}"], detail
    )
    flash(request, f"Saved as version {version.version}, now active.")
    raise redirect(f"/history/{version.version}")


async def dry_run(request: web.Request) -> web.StreamResponse:
    """A dry run of the unsaved settings: kept as a draft version, which the run and its workers
    plan with; nothing is saved as active and nothing is written to Okta."""
    state = request.app[STATE]
    editing = Editing.of(request)
    if _problems(editing):
        flash(request, "Not started: your settings have problems (listed below).", error=True)
        raise redirect("/review")
    draft = state.config_store.save_draft(
        editing.copy.document,
        author=editing.account,
        source="console",
        comment="dry run of unsaved settings in the console",
    )
    loaded = replace(
        editing.active.loaded, config=draft.config(), version=draft.version, draft=True
    )
    note = f"dry run of {editing.account}'s unsaved settings ({draft.label})"
    try:
        run = await start_resync(
            request, loaded, by_console(editing.account), dry_run=True, note=note
        )
    except HopsyncError as error:
        flash(request, f"The dry run could not start: {error}", error=True)
        raise redirect("/review") from None
    state.audit.record(
        editing.account,
        "started a dry run of unsaved settings",
        [f"run:{run.run_id}"],
        f"with configuration {draft.label}",
    )
    raise redirect(f"/runs/{run.run_id}")


async def discard(request: web.Request) -> web.StreamResponse:
    """Drop the unsaved changes."""
    editing = Editing.of(request)
    editing.copies.discard(editing.account)
    flash(request, "Your unsaved changes were discarded.")
    raise redirect("/review")


async def history(request: web.Request) -> web.Response:
    """Every saved version, newest first."""
    state = request.app[STATE]
    versions = state.config_store.history()
    return page(
        request, "history.html", versions=versions, active=state.config_store.active_number()
    )


async def version(request: web.Request) -> web.Response:
    """One version: who saved it, why, and its diff against the version before."""
    state = request.app[STATE]
    store = state.config_store
    number = int(request.match_info["number"])
    try:
        found = store.get(number)
    except ConfigVersionNotFoundError as error:
        return page(
            request, "refused.html", status=404, heading="No such version", reason=str(error)
        )
    before = _previous(state.config_store, number)
    changes = diff_documents(before.document, found.document) if before else []
    return page(
        request,
        "version.html",
        version=found,
        previous=before,
        changes=changes,
        active=store.active_number(),
        trail=state.audit.about(f"version:{number}"),
    )


def _previous(store: ConfigStore, number: int) -> ConfigVersion | None:
    """The newest version older than ``number`` (the one it replaced)."""
    for older in range(number - 1, 0, -1):
        try:
            return store.get(older)
        except ConfigVersionNotFoundError:
            continue
    return None


async def rollback(request: web.Request) -> web.StreamResponse:
    """Save an old version again as the new active version."""
    state = request.app[STATE]
    editing = Editing.of(request)
    number = int(request.match_info["number"])
    try:
        restored = state.config_store.rollback(number, author=editing.account, source="console")
    except (ConfigVersionNotFoundError, ConfigError) as error:
        flash(request, f"Rollback refused: {error}", error=True)
        raise redirect(f"/history/{number}") from None
    state.audit.record(
        editing.account,
        f"rolled back to version {number} as version {restored.version}",
        [f"version:{restored.version}", f"version:{number}"],
    )
    flash(request, f"Version {number} restored as version {restored.version}, now active.")
    raise redirect(f"/history/{restored.version}")


ROUTES = [
    get("/review", review),
    post("/review/save", save, "admin"),
    post("/review/discard", discard, "admin"),
    post("/review/dry-run", dry_run, "operator"),
    get("/history", history),
    get("/history/{number:\\d+}", version),
    post("/history/{number:\\d+}/rollback", rollback, "admin"),
]
