"""What the operator commands connect to: Redis and its stores, and a producer on the APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis

from config.loader import LoadedConfig
from producers.resync import Producer
from shared.broker import HopsyncBroker, build_broker
from shared.deadletters import DeadLetterStore
from shared.rules import Rules
from shared.runs import RunStore
from workers.runtime import Clients, open_clients


@dataclass
class Stores:
    """The configured Redis, with the run store, the dead-letter queue and the broker on it."""

    client: redis.Redis
    runs: RunStore
    dead_letters: DeadLetterStore
    broker: HopsyncBroker

    @classmethod
    def of(cls, loaded: LoadedConfig) -> Stores:
        """Connect to the Redis a loaded configuration names."""
        client = redis.Redis.from_url(loaded.secrets.redis_url)
        return cls(
            client=client,
            runs=RunStore(client, loaded.config.runs_ttl_days),
            dead_letters=DeadLetterStore(client),
            broker=build_broker(client=client, settings=loaded.config.worker),
        )


@asynccontextmanager
async def api_clients(loaded: LoadedConfig) -> AsyncIterator[Clients]:
    """The Okta and ChartHop clients of a configuration, closed on the way out."""
    clients = await open_clients(loaded)
    try:
        yield clients
    finally:
        await clients.close()


@asynccontextmanager
async def producer(loaded: LoadedConfig, stores: Stores) -> AsyncIterator[Producer]:
    """A producer on the configured Redis and APIs."""
    async with api_clients(loaded) as clients:
        yield Producer(
            Rules.build(loaded.config), stores.runs, stores.broker, clients.okta, clients.charthop
        )
