"""The scheduler lock: one Redis key, so that of several schedulers only one acts.

The holder takes it with SET NX PX under a token of its own, renews it while it lives (at every
wake-up, and every third of its lifetime while a job runs), and deletes it on the way out with a
compare-and-delete script, so that it can never delete a lock another scheduler has since taken.
A holder that dies stops renewing: the key expires and a standby, trying at each wake-up, takes
over. The token names the holder (host, process, random part) so `GET` on the key says who it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Literal

import redis
import structlog

from shared import constants
from shared.lua import lua_script

log = structlog.get_logger(__name__)

LOCK_TTL_MS = 30_000

_RENEW = lua_script(__name__, "lock_renew.lua")
_RELEASE = lua_script(__name__, "lock_release.lua")

Role = Literal["holder", "standby"]


def new_owner() -> str:
    """A token unique to this scheduler that also says where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerLock:
    """This scheduler's claim on the lock; every change of role is logged."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_ms: int = LOCK_TTL_MS,
        key: str = constants.SCHEDULER_LOCK,
        owner: str | None = None,
    ) -> None:
        self.client = client
        self.ttl_ms = ttl_ms
        self.key = key
        self.owner = owner or new_owner()
        self.role: Role | None = None
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    @property
    def held(self) -> bool:
        """Whether this scheduler held the lock at its last check."""
        return self.role == "holder"

    def hold(self) -> bool:
        """Renew the lock if this scheduler holds it, else try to take it; True when held."""
        if self.held and self._renew(keys=[self.key], args=[self.owner, self.ttl_ms]):
            return True
        if self.held:
            log.warning("scheduler lock lost: it expired before it was renewed", owner=self.owner)
            self.role = None
        taken = bool(self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))
        self._become("holder" if taken else "standby")
        return taken

    def release(self) -> None:
        """Give the lock up if this scheduler still holds it (a standby's call changes nothing)."""
        released = bool(self._release(keys=[self.key], args=[self.owner]))
        if released:
            log.info("scheduler lock released", owner=self.owner)
        self.role = None

    def holder(self) -> str | None:
        """Who holds the lock now, or None."""
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    @contextlib.asynccontextmanager
    async def renewing(self, every_s: float | None = None) -> AsyncIterator[None]:
        """Keep renewing the lock in the background for the duration of the block (a long job)."""
        interval = every_s if every_s is not None else self.ttl_ms / 3000
        task = asyncio.create_task(self._keep(interval))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _keep(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if not self.hold():
                    log.error("scheduler lock lost while a job runs; another may start it too")
            except redis.RedisError as error:
                log.warning("scheduler lock not renewed: Redis failed", error=str(error))

    def _become(self, role: Role) -> None:
        if role == self.role:
            return
        if role == "holder":
            log.info("scheduler lock acquired: this scheduler acts", owner=self.owner)
        else:
            log.info(
                "scheduler lock held by another scheduler: standing by",
                owner=self.owner,
                holder=self.holder(),
            )
        self.role = role
