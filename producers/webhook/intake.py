"""Write accepted events to Redis: the dedup marker and the pending entry, atomically together.

Both writes happen in one Lua script, so a crash can never mark an event seen without its entry.
The entry is added with ZADD NX: later events of a burst do not push its due time back.
"""

from __future__ import annotations

from typing import Final

import redis.asyncio as aioredis

from producers.live_queue import Target
from shared import constants

SEEN_TTL_S: Final = 7 * 86_400

# Returns 1 when the event is new (and its entry pending), 0 when its id was seen before.
_ACCEPT = """
if not redis.call('set', KEYS[1], ARGV[2], 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
redis.call('zadd', KEYS[2], 'NX', ARGV[3], ARGV[2])
return 1
"""


class Intake:
    """Puts accepted events into LIVE_PENDING (asynchronous Redis, for the webhook server)."""

    def __init__(self, client: aioredis.Redis, *, seen_ttl_s: int = SEEN_TTL_S) -> None:
        self.client = client
        self.seen_ttl_s = seen_ttl_s
        self._accept = client.register_script(_ACCEPT)

    async def accept(self, target: Target, due: float, event_id: str | None) -> bool:
        """Make ``target`` pending, due at ``due``; False when ``event_id`` was seen before."""
        if event_id is None:
            await self.client.zadd(constants.LIVE_PENDING, {target.member: due}, nx=True)
            return True
        keys = [constants.webhook_seen_key(event_id), constants.LIVE_PENDING]
        args: list[str | int] = [self.seen_ttl_s, target.member, repr(due)]
        return bool(await self._accept(keys=keys, args=args))

    async def ready(self) -> bool:
        """Whether Redis answers PING."""
        return bool(await self.client.ping())
