"""Open the process's API clients when a worker boots, close them when it shuts down."""

from __future__ import annotations

from typing import Any

from dramatiq.middleware import Middleware

from workers.runtime import current, run_async


class ApiClients(Middleware):
    """Opens one aiohttp session per worker process on Dramatiq's event loop."""

    def before_worker_boot(self, broker: Any, worker: Any) -> None:
        # Runs after the AsyncIO middleware started the loop, before any message is consumed.
        runtime = current()
        run_async(runtime.open_clients())

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        runtime = current()
        if runtime.clients is not None:
            run_async(runtime.clients.close())
            runtime.clients = None
