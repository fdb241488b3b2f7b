"""A console request opens API clients of its own (a rate limiter on an async Redis client) and
closes them before it answers: it must leave no Redis connection open and no task behind.

The leak this guards against: the limiter's flusher gives finished places back in the background.
When a request closed the Redis client while such a give-back waited for its answer, the pool
dropped the connection under it, the give-back retried on a new connection that nobody closed,
and the collection of that connection raised "unclosed Connection" (a ResourceWarning) in
whichever thread collected it: pytest reported it as an unraisable exception in the browser tests
(shared/okta/redis_ratelimit.py's drain() now waits for a give-back under way). A slow Redis
makes the race certain: the test closes the clients while a give-back waits for its answer.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from producers.webconsole.current import current
from shared.infra.clients import api_clients
from shared.infra.redis_client import connect_async_redis
from shared.okta.redis_ratelimit import RELEASE_FLUSH_S
from tests.console.world import ConsoleWorld

LATE_S = 0.3  # how late the slow Redis answers


@dataclass
class SlowRedis:
    """A loopback TCP proxy to Redis that passes every answer on LATE_S late."""

    target: str  # the real Redis's URL
    asked: asyncio.Event = field(default_factory=asyncio.Event)  # set as a command goes by
    open: int = 0  # client connections not yet closed
    server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; returns the URL to use instead of the target's."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}{urlsplit(self.target).path or '/0'}"

    async def stop(self) -> None:
        """Stop listening (connections still open stay counted)."""
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        parts = urlsplit(self.target)
        server_r, server_w = await asyncio.open_connection(parts.hostname, parts.port or 6379)
        self.open += 1
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, 0.0), self._pipe(server_r, client_w, LATE_S)
            )
        finally:
            self.open -= 1

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, late: float
    ) -> None:
        try:
            while data := await reader.read(65536):
                if not late:
                    self.asked.set()
                await asyncio.sleep(late)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


def test_a_requests_api_clients_leave_no_redis_connection_open_and_no_task_behind(
    world: ConsoleWorld,
) -> None:
    loaded = current(world.state).loaded

    async def read_okta_as_a_request_does() -> tuple[int, set[str]]:
        redis = SlowRedis(loaded.secrets.redis_url)
        url = await redis.start()
        async with api_clients(loaded, connect_async_redis(url)) as clients:
            await asyncio.gather(*(clients.okta.user_profile_attributes() for _ in range(4)))
            redis.asked.clear()
            # The requests are done: what asks Redis now is the flusher giving their places back.
            await asyncio.wait_for(redis.asked.wait(), RELEASE_FLUSH_S * 4)
        # The clients closed while that give-back waited for its answer.
        await asyncio.sleep(LATE_S + RELEASE_FLUSH_S * 2)  # whatever was left would be done
        await asyncio.sleep(0.05)  # the proxy sees the connections close
        current_task = asyncio.current_task()
        left = {
            repr(task)
            for task in asyncio.all_tasks()
            if task is not current_task and "SlowRedis" not in repr(task)
        }
        opened = redis.open
        await redis.stop()
        return opened, left

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Its own thread and loop, as the console's server has (the browser's loop holds this one).
        with ThreadPoolExecutor(1) as pool:
            opened, left = pool.submit(asyncio.run, read_okta_as_a_request_does()).result(60)
        gc.collect()
    assert opened == 0
    assert left == set()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
