"""`hopsync runs approve RUN` and `hopsync runs discard RUN`: decide a run held by safety limits."""

from __future__ import annotations

import asyncio

import click

from config.loader import LoadedConfig
from producers.cli_helpers import active_or_exit, config_option, console
from producers.exits import FAILED, USAGE, infrastructure_line, stop
from producers.factory import open_producer
from shared.core.models import RunMeta
from shared.errors import HopsyncError, RunNotFoundError, RunStateError
from shared.infra.active_config import loaded_version, store_of
from shared.infra.runs import by_cli
from shared.infra.stores import Stores


async def _decide(loaded: LoadedConfig, run_id: str, approve: bool) -> RunMeta:
    stores = Stores.for_command(loaded)
    loaded = _pinned(loaded, stores, stores.runs.meta(run_id))
    async with open_producer(loaded, stores, started_by=by_cli()) as producer:
        return await producer.approve(run_id) if approve else producer.discard(run_id)


def _pinned(loaded: LoadedConfig, stores: Stores, meta: RunMeta) -> LoadedConfig:
    """The configuration version the run pinned: a held run is applied as it was planned."""
    if meta.config_version is None or (meta.config_version, meta.config_draft) == (
        loaded.version,
        loaded.draft,
    ):
        return loaded
    store = store_of(stores.client, loaded.secrets)
    return loaded_version(store.get(meta.config_version, draft=meta.config_draft), loaded.secrets)


def _run(config_path: str | None, run_id: str, approve: bool) -> RunMeta:
    loaded = active_or_exit(config_path)
    try:
        return asyncio.run(_decide(loaded, run_id, approve))
    except (RunNotFoundError, RunStateError) as error:
        stop(str(error), USAGE)  # nothing was done: the run is unknown, or not held
    except HopsyncError as error:
        if infrastructure_line(error) is not None:
            raise  # the command group reports it in one line, exit 4
        stop(f"{'approval' if approve else 'discard'} failed: {error}", FAILED)


@click.command()
@config_option
@click.argument("run_id")
def approve(config_path: str | None, run_id: str) -> None:
    """Apply a held run's plan; only the Okta users it writes are read again."""
    meta = _run(config_path, run_id, approve=True)
    console.print(
        f"run {run_id} approved: its planned writes are enqueued ({meta.expected} people in all); "
        f"follow it with `hopsync runs show {run_id}`",
        highlight=False,
    )


@click.command()
@config_option
@click.argument("run_id")
def discard(config_path: str | None, run_id: str) -> None:
    """Drop a held run; nothing is written to Okta."""
    _run(config_path, run_id, approve=False)
    console.print(f"run {run_id} discarded; nothing was written", highlight=False)
