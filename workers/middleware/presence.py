"""Beat into Redis while a worker process runs: commands can tell whether any worker is alive."""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Final

import redis
import structlog
from dramatiq.middleware import Middleware

from shared.infra.presence import Presence, worker_id

log = structlog.get_logger(__name__)

BEAT_EVERY_S: Final = 1.0


class WorkerPresence(Middleware):
    """A daemon thread beating once a second from worker boot to shutdown.

    Its Redis client has short timeouts and no retries: a beat missed while Redis is away costs
    nothing, and a stopping worker must not wait for Redis to say goodbye.
    """

    def __init__(self, client: redis.Redis) -> None:
        self.presence = Presence(client)
        self.worker = worker_id(os.getpid())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        self.worker = worker_id(os.getpid())  # the id of this process, not of its parent
        self._thread = threading.Thread(target=self._beat, name="hopsync-presence", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        self._stop.set()
        # With Redis away the beats just stop: the process stops counting as alive in seconds.
        with contextlib.suppress(redis.RedisError):
            self.presence.leave(self.worker)

    def _beat(self) -> None:
        while not self._stop.is_set():
            try:
                self.presence.beat(self.worker)
            except redis.RedisError as error:
                log.debug("worker heartbeat missed", error=type(error).__name__)
            self._stop.wait(BEAT_EVERY_S)
