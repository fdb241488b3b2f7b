"""The one place a producer is assembled: rules from the configuration, stores, API clients.

Every command and service that starts runs (resync, approve/discard, replay, the scheduler, the
demo) opens its producer here, as arq's one settings object and ``create_pool()`` do for its
users: the stores come from ``shared.infra.stores.Stores.connect`` and the API clients from
``shared.infra.clients.api_clients``, so there is one way to reach Redis, Okta and ChartHop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from config.loader import LoadedConfig
from producers.resync import Producer
from shared.infra.clients import api_clients
from shared.infra.stores import Stores


@asynccontextmanager
async def open_producer(
    loaded: LoadedConfig,
    stores: Stores,
    *,
    started_by: str,
    limiter_redis: aioredis.Redis | None = None,
) -> AsyncIterator[Producer]:
    """A producer on ``stores`` with API clients of its own, closed when the block ends.

    ``started_by`` is recorded in every run it starts (``shared.infra.runs.by_cli()``,
    ``BY_SCHEDULE``, ``by_console(account)``). ``limiter_redis``: the rate limiter's Redis, when
    not the configured one (fakeredis in the demo). The producer plans with ``loaded`` and pins
    its version (if any) in every run it starts.
    """
    async with api_clients(loaded, limiter_redis) as clients:
        yield Producer.of(
            loaded,
            stores.runs,
            stores.broker,
            clients.okta,
            clients.charthop,
            started_by=started_by,
        )
