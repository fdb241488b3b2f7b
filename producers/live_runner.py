"""Run the live flusher from a configuration: inside the webhook process, or alone (blocking)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import redis
import structlog

from config.loader import LoadedConfig
from producers.live import Clock, JobResolver, LiveFlusher, LiveOptions, charthop_job_resolver
from shared.broker import build_broker, redis_retry
from shared.charthop import ChartHopClient, ChartHopSettings
from shared.runs import RunStore

log = structlog.get_logger(__name__)


@contextlib.asynccontextmanager
async def open_flusher(
    loaded: LoadedConfig, *, options: LiveOptions | None = None, clock: Clock = time.time
) -> AsyncIterator[LiveFlusher]:
    """A flusher on the configured Redis and ChartHop; closes its connections on exit.

    Without a ChartHop token, job-only events cannot be resolved and are dropped with a log line.
    """
    # A tick rides out a Redis restart: one failing after its claim would leave the claimed
    # entries to the lease (a minute). It may hold up the process's shutdown as long (~19 s).
    client = redis.Redis.from_url(
        loaded.secrets.redis_url, socket_timeout=5, socket_connect_timeout=2, retry=redis_retry()
    )
    session = aiohttp.ClientSession()
    try:
        flusher = LiveFlusher(
            client,
            build_broker(client=client, settings=loaded.config.worker),
            RunStore(client, loaded.config.runs_ttl_days),
            options or LiveOptions.from_settings(loaded.config.settings),
            resolve_job=_resolver(loaded, session),
            clock=clock,
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


def run_flusher(loaded: LoadedConfig, *, options: LiveOptions | None = None) -> None:
    """Run the flusher alone until interrupted (a process of its own, without the webhook)."""

    async def main() -> None:
        async with open_flusher(loaded, options=options) as flusher:
            await flusher.run_forever(asyncio.Event())

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def _resolver(loaded: LoadedConfig, session: aiohttp.ClientSession) -> JobResolver | None:
    token = loaded.secrets.charthop_api_token
    if token is None:
        return None
    charthop = loaded.config.charthop
    # Few, short retries: a flush waits for its job look-ups, and a failed one is retried anyway.
    settings = ChartHopSettings(
        base_url=charthop.base_url, org=charthop.org, token=token, max_retries=2, timeout_s=10
    )
    return charthop_job_resolver(ChartHopClient(settings, session))
