"""What a worker process holds for its whole life: configuration, rules, Redis and API clients.

The async clients share one aiohttp ClientSession per process, opened on Dramatiq's event-loop
thread when the worker boots and closed when it shuts down. The Redis clients retry through a
short outage (a Redis restart), so a running message waits for Redis rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import redis
import redis.asyncio as aioredis
from dramatiq.asyncio import get_event_loop_thread

from config.loader import LoadedConfig
from shared.charthop import ChartHopClient
from shared.clients import Clients, open_clients
from shared.deadletters import DeadLetterStore
from shared.okta import OktaClient
from shared.redis_client import connect_redis
from shared.rules import Rules
from shared.runs import RunStore

T = TypeVar("T")


@dataclass
class Runtime:
    """A process's configuration, rules and connections."""

    loaded: LoadedConfig
    rules: Rules
    client: redis.Redis
    runs: RunStore
    dead_letters: DeadLetterStore
    async_redis: Callable[[], aioredis.Redis] | None = None
    clients: Clients | None = field(default=None)

    @classmethod
    def create(
        cls,
        loaded: LoadedConfig,
        client: redis.Redis | None = None,
        async_redis: Callable[[], aioredis.Redis] | None = None,
    ) -> Runtime:
        """A runtime on the configured Redis, or on given clients (fakeredis in the demo)."""
        connection = client or connect_redis(loaded.secrets.redis_url)
        return cls(
            loaded=loaded,
            rules=Rules.build(loaded.config),
            client=connection,
            runs=RunStore(connection, loaded.config.runs_ttl_days),
            dead_letters=DeadLetterStore(connection),
            async_redis=async_redis,
        )

    async def open_clients(self) -> Clients:
        """Open the process's ClientSession and API clients on the running loop."""
        if self.clients is None:
            limiter_redis = self.async_redis() if self.async_redis else None
            self.clients = await open_clients(self.loaded, limiter_redis)
        return self.clients

    def okta(self) -> OktaClient:
        """The Okta client; the worker must have booted."""
        if self.clients is None:
            raise RuntimeError("the worker's API clients are not open yet")
        return self.clients.okta

    def session(self) -> aiohttp.ClientSession:
        """The process's one ClientSession; the worker must have booted."""
        if self.clients is None:
            raise RuntimeError("the worker's API clients are not open yet")
        return self.clients.session

    def charthop(self) -> ChartHopClient:
        """The ChartHop client; the worker must have booted."""
        if self.clients is None:
            raise RuntimeError("the worker's API clients are not open yet")
        return self.clients.charthop


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Make a runtime the one this process's actors use."""
    global _current
    _current = runtime


def current() -> Runtime:
    """The installed runtime; raises when the process was not set up."""
    if _current is None:
        raise RuntimeError("no hopsync runtime installed; start workers with `hopsync worker`")
    return _current


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the worker's shared event loop and wait for its result."""
    thread = get_event_loop_thread()
    if thread is None:
        raise RuntimeError("Dramatiq's AsyncIO middleware has not started its event loop")
    result: T = thread.run_coroutine(coroutine)
    return result
