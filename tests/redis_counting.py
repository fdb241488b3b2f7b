"""Redis connections that count what they send: one command, pipeline or script is one packet,
so one round trip. Tests that bound the round trips of a path (the receiver's accept, a live
sync) build their pools with these and read ``Count.sent``."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis


class Count:
    """Packets sent to Redis by the counting connections (reset it before what is counted)."""

    sent = 0


class CountingConnection(redis.Connection):
    """Counts what it sends, except a new connection's handshake (once per connection)."""

    handshaking = False

    def on_connect(self) -> None:
        self.handshaking = True
        try:
            super().on_connect()
        finally:
            self.handshaking = False

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        Count.sent += 0 if self.handshaking else 1
        super().send_packed_command(command, check_health)


class CountingAsyncConnection(aioredis.Connection):
    """Counts what it sends, except a new connection's handshake (once per connection)."""

    handshaking = False

    async def on_connect(self) -> None:
        self.handshaking = True
        try:
            await super().on_connect()
        finally:
            self.handshaking = False

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        Count.sent += 0 if self.handshaking else 1
        await super().send_packed_command(command, check_health)
