"""Runs the console starts in the background: Resync All Now and the Dry Runs.

A resync reads all of ChartHop and Okta before it plans, which takes from seconds to minutes; the
request that starts it waits only until the run exists (Redis answers, the configuration's fields
are checked against ChartHop), then the browser follows the run's page, which updates live. A
failure before that is the request's, shown where the button was; after it the producer marks the
run failed with the reason, which the run's page shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any, Final

import structlog
from aiohttp import web

from config.loader import LoadedConfig
from producers.factory import open_producer
from producers.webconsole.state import STATE
from shared.core.models import RunMeta

log = structlog.get_logger(__name__)

SHUTDOWN_WAIT_S: Final = 30.0  # how long a stopping console lets its runs finish planning
BACKGROUND = web.AppKey("console_runs_starting", set[asyncio.Task[None]])


async def start_resync(
    request: web.Request, loaded: LoadedConfig, started_by: str, *, dry_run: bool, note: str
) -> RunMeta:
    """Start a resync planned with ``loaded``; return its run as soon as it exists.

    Raises what stopped it from starting (HopsyncError: Redis down, a token refused, a field the
    org lacks); what fails later is recorded in the run.
    """
    state = request.app[STATE]
    started: asyncio.Future[RunMeta] = asyncio.get_running_loop().create_future()

    async def resync() -> None:
        async with open_producer(loaded, state.stores, started_by=started_by) as making:
            await making.resync(dry_run=dry_run, note=note, on_start=started.set_result)

    task = asyncio.create_task(resync())
    tasks = request.app[BACKGROUND]
    tasks.add(task)
    task.add_done_callback(_finished(tasks, started))
    waiting: list[asyncio.Future[Any]] = [started, task]
    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if started.done():
        return started.result()
    task.result()  # raises why it did not start
    raise RuntimeError("the resync ended without starting a run")  # Producer.resync never does


def _finished(
    tasks: set[asyncio.Task[None]], started: asyncio.Future[RunMeta]
) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        if task.cancelled() or (error := task.exception()) is None:
            return
        if started.done():  # else the request that started it reports it
            # The run is marked failed with this reason (Producer.resync); the log says it too.
            run_id = started.result().run_id
            log.warning("console run failed", run_id=run_id, error=f"{type(error).__name__}")

    return done


async def _keep_background(app: web.Application) -> AsyncIterator[None]:
    """Hold the set of runs being started; on shutdown let them finish planning, then stop."""
    app[BACKGROUND] = set()
    yield
    tasks = app[BACKGROUND].copy()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT_S)
    for task in pending:  # the janitor ends a run left unfinished
        task.cancel()
    for task in pending:
        with suppress(asyncio.CancelledError):
            await task


def install(app: web.Application) -> None:
    """Let ``app`` start runs in the background."""
    app.cleanup_ctx.append(_keep_background)
