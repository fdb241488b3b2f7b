"""What a worker process holds for its whole life: configuration, rules, Redis and API clients.

The async clients share one aiohttp ClientSession per process, opened on Dramatiq's event-loop
thread when the worker boots and closed when it shuts down. The Redis clients retry through a
short outage (a Redis restart), so a running message waits for Redis rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import aiohttp
import redis
import redis.asyncio as aioredis
from dramatiq.asyncio import get_event_loop_thread

from config.loader import LoadedConfig
from config.settings import HopsyncConfig
from shared.charthop import ChartHopClient
from shared.core.rules import Rules
from shared.infra.active_config import ConfigFollower, store_of
from shared.infra.clients import Clients, open_clients
from shared.infra.config_store import ConfigStore
from shared.infra.deadletters import DeadLetterStore
from shared.infra.redis_client import connect_redis
from shared.infra.runs import RunStore
from shared.okta import OktaClient

T = TypeVar("T")


@dataclass
class Runtime:
    """A process's configuration, rules and connections.

    ``loaded`` and ``rules`` are the version the process booted with. A message names the version
    its run pinned (``rules_for``); one naming none plans with the active version, followed
    through ``follower``. Rules are compiled once per version, and a version that points at
    another Okta or ChartHop (or shares Okta's budget differently) gets API clients of its own.
    """

    loaded: LoadedConfig
    rules: Rules
    client: redis.Redis
    runs: RunStore
    dead_letters: DeadLetterStore
    async_redis: Callable[[], aioredis.Redis] | None = None
    clients: Clients | None = field(default=None)
    store: ConfigStore | None = None
    follower: ConfigFollower | None = None
    versions: dict[tuple[int, bool], Rules] = field(default_factory=dict)
    other_clients: dict[str, Clients] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        loaded: LoadedConfig,
        client: redis.Redis | None = None,
        async_redis: Callable[[], aioredis.Redis] | None = None,
    ) -> Runtime:
        """A runtime on the configured Redis, or on given clients (fakeredis in the demo)."""
        connection = client or connect_redis(loaded.secrets.redis_url)
        store = store_of(connection, loaded.secrets)
        return cls(
            loaded=loaded,
            rules=Rules.build(loaded.config),
            client=connection,
            runs=RunStore(connection, loaded.config.runs_ttl_days),
            dead_letters=DeadLetterStore(connection),
            async_redis=async_redis,
            store=store,
            follower=ConfigFollower(store, loaded) if loaded.version is not None else None,
        )

    def rules_for(self, version: int | None, draft: bool = False) -> Rules:
        """The rules of a pinned version (or draft); None: the active version's."""
        if version is None:
            active = self.follower.current() if self.follower is not None else self.loaded
            if active.version is None:
                return self.rules
            version, draft = active.version, active.draft
        if (version, draft) == (self.loaded.version, self.loaded.draft):
            return self.rules
        found = self.versions.get((version, draft))
        if found is None:
            if self.store is None:
                raise RuntimeError("the runtime has no configuration store")
            found = Rules.build(self.store.config(version, draft=draft))
            if len(self.versions) >= 16:
                self.versions.clear()
            self.versions[(version, draft)] = found
        return found

    async def open_clients(self) -> Clients:
        """Open the process's ClientSession and API clients on the running loop."""
        if self.clients is None:
            limiter_redis = self.async_redis() if self.async_redis else None
            self.clients = await open_clients(self.loaded, limiter_redis)
        return self.clients

    async def clients_for(self, config: HopsyncConfig) -> Clients:
        """The API clients for a configuration: the process's own unless it points elsewhere."""
        key = connection_key(config)
        if key == connection_key(self.loaded.config):
            return await self.open_clients()
        found = self.other_clients.get(key)
        if found is None:
            limiter_redis = self.async_redis() if self.async_redis else None
            opened = await open_clients(replace(self.loaded, config=config), limiter_redis)
            found = self.other_clients.setdefault(key, opened)
            if found is not opened:
                await opened.close()
        return found

    async def close_clients(self) -> None:
        """Close every API client this process opened."""
        opened = [self.clients, *self.other_clients.values()]
        self.clients = None
        self.other_clients = {}
        for clients in opened:
            if clients is not None:
                await clients.close()

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


def connection_key(config: HopsyncConfig) -> str:
    """What decides a configuration's API clients: where Okta and ChartHop are, and the budget."""
    return config.okta.model_dump_json() + config.charthop.model_dump_json()


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
