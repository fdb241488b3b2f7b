"""Run the live flusher from a configuration: in a child process of the webhook receiver (as
`hopsync webhook` does), in a background task, or alone (blocking).

In a process of its own the flusher never holds up the receiver's event loop: a tick that
encodes hundreds of messages, or waits on Redis, leaves the receiver free to answer webhooks on
the other core. The receiver restarts a flusher process that died, and the flusher exits once
its receiver is gone. Nothing is lost when either dies: acknowledged events are in Redis, and
claimed entries go back to pending when their lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import AsyncIterator
from multiprocessing.process import BaseProcess
from typing import Final

import aiohttp
import redis
import structlog

from config.loader import LoadedConfig
from config.settings import HopsyncConfig
from producers.live.fields import FieldGate, charthop_fields
from producers.live.flusher import (
    Clock,
    LiveFlusher,
    LiveOptions,
    SettingsSource,
    charthop_job_resolver,
)
from shared.charthop import ChartHopClient, ChartHopSettings
from shared.infra.active_config import ConfigFollower, store_of
from shared.infra.logging import configure_logging
from shared.infra.redis_client import connect_redis
from shared.infra.stores import Stores

log = structlog.get_logger(__name__)

SUPERVISE_EVERY_S: Final = 1.0  # how often the receiver checks its flusher process (and back)
STOP_TIMEOUT_S: Final = 25.0  # a tick may ride out a Redis restart for about 19 s


@contextlib.asynccontextmanager
async def open_flusher(
    loaded: LoadedConfig, *, options: LiveOptions | None = None, clock: Clock = time.time
) -> AsyncIterator[LiveFlusher]:
    """A flusher on the configured Redis and ChartHop; closes its connections on exit.

    Without a ChartHop token, job-only events cannot be resolved and are dropped with a log line,
    and the fields a configuration reads are not checked (its syncs cannot read ChartHop either).
    """
    # A tick rides out a Redis restart: one failing after its claim would leave the claimed
    # entries to the lease (a minute). It may hold up the process's shutdown as long (~19 s).
    client = connect_redis(loaded.secrets.redis_url, socket_timeout=5, socket_connect_timeout=2)
    stores = Stores.connect(loaded, client)
    session = aiohttp.ClientSession()
    charthop = _charthop(loaded, session)
    try:
        flusher = LiveFlusher(
            client,
            stores.broker,
            stores.runs,
            options or LiveOptions.from_settings(loaded.config.settings),
            resolve_job=charthop_job_resolver(charthop) if charthop else None,
            clock=clock,
            settings=_following(loaded, client) if options is None else None,
            fields=_field_gate(loaded, client, charthop) if charthop else None,
            share=loaded.config.okta.rate_limit_share,
        )
        yield flusher
    finally:
        await session.close()
        client.close()


@contextlib.asynccontextmanager
async def flusher_running(
    loaded: LoadedConfig, *, options: LiveOptions | None = None, clock: Clock = time.time
) -> AsyncIterator[LiveFlusher]:
    """A flusher ticking in a background task for the duration of the block."""
    async with open_flusher(loaded, options=options, clock=clock) as flusher:
        stop = asyncio.Event()
        task = asyncio.create_task(flusher.run_forever(stop))
        log.info("live flusher started", period_s=flusher.options.period_s)
        try:
            yield flusher
        finally:
            stop.set()
            await task
            log.info("live flusher stopped")


def run_flusher(
    loaded: LoadedConfig, *, options: LiveOptions | None = None, parent_pid: int | None = None
) -> None:
    """Run the flusher alone until SIGTERM or SIGINT (blocking).

    With ``parent_pid`` it also stops once that process is gone (its receiver was killed).
    """

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with open_flusher(loaded, options=options) as flusher:
            watch = asyncio.create_task(_watch_parent(parent_pid, stop))
            log.info("live flusher started", pid=os.getpid(), period_s=flusher.options.period_s)
            await flusher.run_forever(stop)
            watch.cancel()
            log.info("live flusher stopped")

    asyncio.run(main())


async def _watch_parent(parent_pid: int | None, stop: asyncio.Event) -> None:
    while parent_pid is not None and not stop.is_set():
        if os.getppid() != parent_pid:
            log.warning("live flusher stopping: its receiver is gone", parent_pid=parent_pid)
            stop.set()
            return
        await asyncio.sleep(SUPERVISE_EVERY_S)


def _child_main(loaded: LoadedConfig, options: LiveOptions | None, parent_pid: int) -> None:
    configure_logging(loaded.secrets.values())  # a service's process: INFO unless $HOPSYNC_LOG
    run_flusher(loaded, options=options, parent_pid=parent_pid)


class FlusherProcess:
    """The live flusher in a child process (spawned, not forked from a running event loop)."""

    def __init__(self, loaded: LoadedConfig, options: LiveOptions | None = None) -> None:
        self.loaded = loaded
        self.options = options
        self.process: BaseProcess | None = None
        self.restarts = 0

    def start(self) -> None:
        """Start a flusher process."""
        context = multiprocessing.get_context("spawn")
        args = (self.loaded, self.options, os.getpid())
        self.process = context.Process(
            target=_child_main, args=args, name="hopsync-live-flusher", daemon=True
        )
        self.process.start()

    async def supervise(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: start the flusher process again whenever it has exited."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=SUPERVISE_EVERY_S)
            process = self.process
            if stop.is_set() or process is None or process.is_alive():
                continue
            log.error("live flusher process exited; starting another", exitcode=process.exitcode)
            self.restarts += 1
            self.start()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM (the tick under way finishes), then SIGKILL past ``timeout_s`` (blocking)."""
        process = self.process
        if process is None:
            return
        process.terminate()
        process.join(timeout_s)
        if process.is_alive():
            process.kill()
            process.join(timeout_s)


@contextlib.asynccontextmanager
async def flusher_process_running(
    loaded: LoadedConfig, *, options: LiveOptions | None = None
) -> AsyncIterator[FlusherProcess]:
    """A supervised flusher process for the duration of the block."""
    flusher = FlusherProcess(loaded, options)
    flusher.start()
    stop = asyncio.Event()
    task = asyncio.create_task(flusher.supervise(stop))
    try:
        yield flusher
    finally:
        stop.set()
        await task
        await asyncio.to_thread(flusher.stop)


def _following(loaded: LoadedConfig, client: redis.Redis) -> SettingsSource | None:
    """The active version's settings (live_summary_minutes), for a flusher built from settings."""
    if loaded.version is None:
        return None
    follower = ConfigFollower(store_of(client, loaded.secrets), loaded)
    return lambda: follower.current().config.settings


def _charthop(loaded: LoadedConfig, session: aiohttp.ClientSession) -> ChartHopClient | None:
    token = loaded.secrets.charthop_api_token
    if token is None:
        return None
    charthop = loaded.config.charthop
    # Few, short retries: a flush waits for its ChartHop reads, and a failed one is retried anyway.
    settings = ChartHopSettings(
        base_url=charthop.base_url, org=charthop.org, token=token, max_retries=2, timeout_s=10
    )
    return ChartHopClient(settings, session)


def _field_gate(loaded: LoadedConfig, client: redis.Redis, charthop: ChartHopClient) -> FieldGate:
    """Checks each configuration version a live run pins, as resync checks its own."""
    store = store_of(client, loaded.secrets)

    def config_of(version: int | None) -> HopsyncConfig:
        if version is None or version == loaded.version:
            return loaded.config
        return store.get(version).config()

    return FieldGate(charthop_fields(charthop), config_of)
