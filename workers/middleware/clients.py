"""Open the process's API clients when a worker boots, close them when it shuts down."""

from __future__ import annotations

from typing import Any

from dramatiq.middleware import Middleware

from workers.runtime import current, run_async


class ApiClients(Middleware):
    """Opens one aiohttp session per worker process on Dramatiq's event loop.

    Placed after the AsyncIO middleware (Dramatiq runs after_ hooks in reverse), so that on
    shutdown the clients close while the loop still runs; actors also open them on first use,
    so a message consumed before the boot hook ran finds them open.
    """

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        run_async(current().open_clients())

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        # After Dramatiq has waited for running messages: they still need the clients.
        run_async(current().close_clients())
