"""Runs: the history, one run's people and changes, live progress, Resync All Now and Dry Run,
and the decision on a held run."""

from __future__ import annotations

from aiohttp import web

from producers.factory import open_producer as producer
from producers.ops.runs import format_counts, run_row
from producers.webconsole.current import current
from producers.webconsole.guard import account_of
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.starting import start_resync
from producers.webconsole.state import STATE
from shared.core.models import OUTCOME_STATUSES, PersonOutcome, RunMeta
from shared.core.summary import headline
from shared.errors import HopsyncError, RunNotFoundError
from shared.infra.runs import by_console


async def history(request: web.Request) -> web.Response:
    """The newest runs first: status, counts, who started them."""
    state = request.app[STATE]
    metas = state.stores.runs.recent(50)
    rows = [run_row(state.stores.runs, meta, tally=False) for meta in metas]
    return page(request, "runs.html", rows=rows, format_counts=format_counts)


async def show(request: web.Request) -> web.Response:
    """One run: its summary (or progress so far), its people filterable by outcome."""
    state = request.app[STATE]
    run_id = request.match_info["run_id"]
    try:
        meta = state.stores.runs.meta(run_id)
    except RunNotFoundError:
        # The error's own hint is the command line's (`hopsync runs`); the console's is its list.
        reason = f"No run {run_id!r} is kept: runs expire some days after they start."
        return page(
            request,
            "refused.html",
            status=404,
            heading="No such run",
            reason=reason,
            back=("/runs", "See the runs that are kept"),
        )
    summary = state.stores.runs.summary(run_id)
    row = run_row(state.stores.runs, meta, tally=True)
    people = summary.changes if summary else _so_far(state.stores.runs.outcomes(run_id))
    outcome = request.query.get("outcome", "")
    listed = [person for person in people if not outcome or person.status == outcome]
    return page(
        request,
        "run.html",
        meta=meta,
        row=row,
        summary=summary,
        headline=headline(summary) if summary else "",
        people=listed,
        outcome=outcome,
        statuses=[s for s in OUTCOME_STATUSES if s != "unchanged"],
        counts=row.counts,
        trail=state.audit.about(f"run:{run_id}"),
        progress=progress_text(meta, row.done, row.expected),
    )


def _so_far(outcomes: list[PersonOutcome]) -> list[PersonOutcome]:
    return sorted(
        (o for o in outcomes if o.status != "unchanged"),
        key=lambda o: (OUTCOME_STATUSES.index(o.status), o.name or "", o.key),
    )


def progress_text(meta: RunMeta, done: int, expected: int | None) -> str:
    """How far a run still going is: reading (a resync before its plan), or people done."""
    if meta.kind == "resync" and expected is None and not done:
        return f"{meta.status}: reading ChartHop and Okta; the plan follows"
    return f"{meta.status}: {done} of {expected if expected is not None else '?'} people done"


async def progress(request: web.Request) -> web.Response:
    """A run's progress as JSON, for the live bar."""
    store = request.app[STATE].stores.runs
    run_id = request.match_info["run_id"]
    try:
        meta = store.meta(run_id)
    except RunNotFoundError:
        raise web.HTTPNotFound() from None
    summary = store.summary(run_id)
    done, expected = store.progress(run_id)
    text = headline(summary) if summary is not None else progress_text(meta, done, expected)
    return web.json_response(
        {"done": done, "expected": expected, "finished": summary is not None, "text": text}
    )


async def start(request: web.Request) -> web.StreamResponse:
    """Resync All Now, or its Dry Run, on the saved settings."""
    state = request.app[STATE]
    form = await request.post()
    dry_run = form.get("dry_run") == "1"
    who = account_of(request).name
    active = current(state)
    try:
        run = await start_resync(request, active.loaded, by_console(who), dry_run=dry_run, note="")
    except HopsyncError as error:
        flash(request, f"The run could not start: {error}", error=True)
        raise redirect("/runs") from None
    action = "started a dry run" if dry_run else "started Resync All Now"
    detail = f"with configuration version {active.version.version}"
    state.audit.record(
        who, action, [f"run:{run.run_id}", f"version:{active.version.version}"], detail
    )
    raise redirect(f"/runs/{run.run_id}")


async def decide(request: web.Request) -> web.StreamResponse:
    """Approve or Discard a held run."""
    state = request.app[STATE]
    run_id = request.match_info["run_id"]
    approve = request.match_info["decision"] == "approve"
    who = account_of(request).name
    try:
        loaded = current(state).loaded
        async with producer(loaded, state.stores, started_by=by_console(who)) as making:
            if approve:
                await making.approve(run_id)
            else:
                making.discard(run_id)
    except HopsyncError as error:
        flash(request, f"Refused: {error}", error=True)
        raise redirect(f"/runs/{run_id}") from None
    verb = "approved" if approve else "discarded"
    state.audit.record(who, f"{verb} the held run", [f"run:{run_id}"])
    flash(request, f"Run {run_id} {verb}.")
    raise redirect(f"/runs/{run_id}")


ROUTES = [
    get("/runs", history),
    get("/runs/{run_id}", show),
    get("/runs/{run_id}/progress", progress),
    post("/runs", start, "operator"),
    post("/runs/{run_id}/{decision:approve|discard}", decide, "operator"),
]
