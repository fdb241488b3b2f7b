"""Failed messages: the dead letters with their errors; replay one, some or all; purge."""

from __future__ import annotations

from aiohttp import web

from producers.factory import open_producer as producer
from producers.ops.dlq import pick
from producers.ops.replay import plan_replay, replay
from producers.webconsole.current import current
from producers.webconsole.guard import account_of
from producers.webconsole.render import flash, page, redirect
from producers.webconsole.routing import get, post
from producers.webconsole.state import STATE
from shared.errors import HopsyncError
from shared.infra.runs import by_console


async def listing(request: web.Request) -> web.Response:
    """Every dead letter, oldest first, with its whole error."""
    state = request.app[STATE]
    letters = state.stores.dead_letters.entries()
    return page(request, "letters.html", letters=letters, trail=state.audit.about("letters"))


async def replay_letters(request: web.Request) -> web.StreamResponse:
    """Replay the chosen letters (or all): sync letters become one new replay run."""
    state = request.app[STATE]
    form = await request.post()
    chosen = tuple(str(value) for value in form.getall("letter", []))
    if form.get("all") != "1" and not chosen:
        flash(request, "Choose the failed messages to replay, or Replay all.", error=True)
        raise redirect("/letters")
    letters, missing = pick(state.stores.dead_letters, () if form.get("all") == "1" else chosen)
    plan = plan_replay(letters)
    who = account_of(request).name
    try:
        loaded = current(state).loaded
        async with producer(loaded, state.stores, started_by=by_console(who)) as making:
            run = await replay(plan, making, state.stores.dead_letters) if plan.replayed else None
    except HopsyncError as error:
        flash(
            request,
            f"Replay failed: {error}; letters not yet enqueued stay in the queue.",
            error=True,
        )
        raise redirect("/letters") from None
    subjects = ["letters", *(f"letter:{letter.id}" for letter in plan.replayed)]
    if run is not None:
        subjects.append(f"run:{run.run_id}")
    detail = ", ".join(letter.id for letter in plan.replayed) or "nothing"
    state.audit.record(who, f"replayed {len(plan.replayed)} failed message(s)", subjects, detail)
    for skip in plan.skipped:
        flash(request, f"{skip.letter.id} was not replayed: {skip.reason}", error=True)
    for letter_id in missing:
        flash(request, f"{letter_id} is no longer in the queue (already replayed or purged).")
    if run is not None:
        flash(request, f"Replayed {len(plan.replayed)} failed message(s) as run {run.run_id}.")
        raise redirect(f"/runs/{run.run_id}")
    flash(request, f"Replayed {len(plan.replayed)} failed message(s).")
    raise redirect("/letters")


async def purge(request: web.Request) -> web.StreamResponse:
    """Delete the chosen letters for good."""
    state = request.app[STATE]
    form = await request.post()
    chosen = [str(value) for value in form.getall("letter", [])]
    purged = [letter_id for letter_id in chosen if state.stores.dead_letters.remove(letter_id)]
    who = account_of(request).name
    subjects = ["letters", *(f"letter:{letter_id}" for letter_id in purged)]
    state.audit.record(who, f"purged {len(purged)} failed message(s)", subjects, ", ".join(purged))
    flash(request, f"Purged {len(purged)} failed message(s).")
    raise redirect("/letters")


ROUTES = [
    get("/letters", listing),
    post("/letters/replay", replay_letters, "operator"),
    post("/letters/purge", purge, "operator"),
]
