"""Serve the webhook receiver (``hopsync webhook``), with the live flusher in a child process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from config.loader import LoadedConfig
from producers.live.flusher import LiveOptions
from producers.live.runner import flusher_process_running, flusher_running
from producers.webhook.app import WEBHOOK_PATH, CleanupContext, create_app

log = structlog.get_logger(__name__)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access lines without the query string: a sender may put the secret in ``?token=``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log method, path, status and duration of one request."""
        log.info(
            "http request",
            method=request.method,
            path=request.path,
            status=response.status,
            duration_ms=round(time * 1000, 1),
        )


def flusher_context(loaded: LoadedConfig, options: LiveOptions | None = None) -> CleanupContext:
    """An aiohttp cleanup context that runs the live flusher while the app runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        async with flusher_running(loaded, options=options):
            yield

    return context


def flusher_process_context(
    loaded: LoadedConfig, options: LiveOptions | None = None
) -> CleanupContext:
    """An aiohttp cleanup context that runs the live flusher in a supervised child process."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        async with flusher_process_running(loaded, options=options):
            yield

    return context


def serve(loaded: LoadedConfig, host: str, port: int) -> None:
    """Serve ``POST /webhooks/charthop`` on ``host:port`` until interrupted (blocking).

    The live flusher runs in a child process, so that its ticks never delay an answer; several
    replicas may run side by side on one Redis. It runs even while settings.live_sync is off (it
    then finds nothing to do), so that turning live sync on in a new configuration version takes
    effect without a restart. Raises ConfigError when HOPSYNC_WEBHOOK_SECRET is not set.
    """
    background = [flusher_process_context(loaded)]
    app = create_app(loaded, background=background)
    # `hopsync webhook` logged the start line (where, which Redis, which configuration).
    log.debug("webhook receiver starting", url=f"http://{host}:{port}{WEBHOOK_PATH}")
    web.run_app(app, host=host, port=port, print=None, access_log_class=PathOnlyAccessLogger)
