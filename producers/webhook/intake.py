"""Write accepted events to Redis: the dedup marker and the pending entry, atomically together.

Both writes happen in one Lua script, so a crash can never mark an event seen without its entry.
Quiet, a later event of a person does not push their due time back; in a storm it does, up to a
cap after their first event (see producers.webhook.burst). An event for a person whose sync
message waits on the queue folds into that message (it reads ChartHop once it starts).

Events arriving together are written together (group commit): each request waits for the one
pipeline that carries its script call, so a burst costs one round trip per batch, not per event
(the script is called by its SHA, loaded only when Redis lost it), and every answer is still
sent only once its own write is in Redis.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

from producers.live.queue import PERSON, Target
from shared import constants
from shared.lua import lua_script

SEEN_TTL_S: Final = 7 * 86_400
HOLD_SLACK_MS: Final = 1_000  # the hold's key outlives its time by this (clocks of two hosts)

_Waiting = tuple[list[str], list[str | int], "asyncio.Future[Any]"]  # keys, args, its answer

_ACCEPT = lua_script(__name__, "intake_accept.lua")


class Intake:
    """Puts accepted events into LIVE_PENDING (asynchronous Redis, for the webhook server)."""

    def __init__(self, client: aioredis.Redis, *, seen_ttl_s: int = SEEN_TTL_S) -> None:
        self.client = client
        self.seen_ttl_s = seen_ttl_s
        self._accept = client.register_script(_ACCEPT)
        self._waiting: list[_Waiting] = []
        self._hold: tuple[float, int] | None = None  # the next batch's hold: until, key TTL (ms)
        self._writer: asyncio.Task[None] | None = None

    async def accept(
        self,
        target: Target,
        due: float,
        event_id: str | None,
        *,
        now: float | None = None,
        extend: bool = False,
        cap_s: float = 0.0,
        hold_until: float | None = None,
    ) -> bool:
        """Make ``target`` pending, due at ``due``; False when ``event_id`` was seen before.

        A person whose live sync message is queued and not yet started is not made pending:
        that message reads the person after this event's change.

        With ``extend`` (a storm), a target already pending moves to ``due``, never later than
        ``cap_s`` after its first event. With ``hold_until`` (a storm), the batch also holds
        the live flusher until then (LIVE_HOLD). Returns once the write is in Redis; raises the
        RedisError of the batch that carried it.
        """
        if event_id is None:
            await self.client.zadd(constants.LIVE_PENDING, {target.member: due}, nx=True)
            return True
        keys = [constants.webhook_seen_key(event_id), constants.LIVE_PENDING, constants.LIVE_FIRST]
        if target.kind == PERSON:  # a job's person is known only once the flusher resolves it
            keys.append(constants.live_queued_key(target.id))
        first = due if now is None else now
        args: list[str | int] = [self.seen_ttl_s, target.member, repr(due), repr(first)]
        args += ["1" if extend else "0", repr(cap_s)]
        written: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((keys, args, written))
        if hold_until is not None and (self._hold is None or hold_until > self._hold[0]):
            ttl_ms = math.ceil((hold_until - (now or hold_until)) * 1000) + HOLD_SLACK_MS
            self._hold = (hold_until, ttl_ms)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        return bool(await written)

    async def _write_batches(self) -> None:
        """Write what waits, one pipeline at a time, until nothing does."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            hold, self._hold = self._hold, None
            try:
                results = await self._write(batch, hold)
            except Exception as exc:  # every request of the batch answers with it (503)
                results = [exc] * len(batch)
            for (_, _, written), result in zip(batch, results, strict=True):
                if written.done():  # its request was cancelled (the sender hung up)
                    continue
                if isinstance(result, BaseException):
                    written.set_exception(result)
                else:
                    written.set_result(result)

    async def _write(self, batch: list[_Waiting], hold: tuple[float, int] | None) -> list[Any]:
        """One round trip for the batch (and the hold); the script is loaded (and the batch's
        calls that found it missing sent again) only after a Redis restart flushed it."""
        results = await self._pipelined(batch, hold)
        missing = [i for i, result in enumerate(results) if isinstance(result, NoScriptError)]
        if missing:
            await self.client.script_load(_ACCEPT)
            again = await self._pipelined([batch[i] for i in missing])
            for index, result in zip(missing, again, strict=True):
                results[index] = result
        return results

    async def _pipelined(
        self, batch: list[_Waiting], hold: tuple[float, int] | None = None
    ) -> list[Any]:
        # EVALSHA queued by hand: a pipeline running Script objects would first ask Redis
        # whether the script exists, a second round trip per batch.
        async with self.client.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.evalsha(self._accept.sha, len(keys), *keys, *args)
            if hold is not None:  # the flusher reads the time; the TTL only tidies up
                pipe.set(constants.LIVE_HOLD, repr(hold[0]), px=hold[1])
            results: list[Any] = await pipe.execute(raise_on_error=False)
        return results[: len(batch)]

    async def ready(self) -> bool:
        """Whether Redis answers PING."""
        return bool(await self.client.ping())
