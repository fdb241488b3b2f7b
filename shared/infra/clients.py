"""The Okta and ChartHop clients of one process, built from the configuration in one place.

Workers, the producers and the operator commands all open their API clients here: one aiohttp
ClientSession shared by both clients, and the Okta client's Redis rate limiter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import redis.asyncio as aioredis

from config.loader import LoadedConfig
from shared.charthop import ChartHopClient, ChartHopSettings
from shared.infra.redis_client import connect_async_redis
from shared.okta import OktaClient, OktaClientSettings, RedisRateLimiter


@dataclass
class Clients:
    """The async API clients of one process, bound to one event loop."""

    session: aiohttp.ClientSession
    okta: OktaClient
    charthop: ChartHopClient
    limiter_redis: aioredis.Redis

    async def close(self) -> None:
        """Close the session and the limiter's Redis connection (its places given back)."""
        await self.session.close()
        if isinstance(self.okta.limiter, RedisRateLimiter):
            await self.okta.limiter.drain()
        await self.limiter_redis.aclose()


async def open_clients(
    loaded: LoadedConfig, limiter_redis: aioredis.Redis | None = None
) -> Clients:
    """Open one ClientSession and the Okta and ChartHop clients that share it."""
    config = loaded.config
    session = aiohttp.ClientSession()
    limiter_client = limiter_redis or connect_async_redis(loaded.secrets.redis_url)
    rate_limit = config.okta.rate_limit
    limiter = RedisRateLimiter(limiter_client, policy=rate_limit)
    okta = OktaClient(
        OktaClientSettings(
            base_url=config.okta.url,
            token=loaded.okta_token(),
            auth_scheme=config.okta.auth_scheme,
            rate_limit=rate_limit,
            max_retries=config.okta.max_retries,
            members_page_size=config.okta.members_page_size,
        ),
        session,
        limiter,
    )
    charthop = ChartHopClient(
        ChartHopSettings(
            base_url=config.charthop.base_url,
            org=config.charthop.org,
            token=loaded.charthop_token(),
            page_size=config.charthop.page_size,
        ),
        session,
    )
    return Clients(session=session, okta=okta, charthop=charthop, limiter_redis=limiter_client)


@asynccontextmanager
async def api_clients(
    loaded: LoadedConfig, limiter_redis: aioredis.Redis | None = None
) -> AsyncIterator[Clients]:
    """The Okta and ChartHop clients of a configuration, closed on the way out."""
    clients = await open_clients(loaded, limiter_redis)
    try:
        yield clients
    finally:
        await clients.close()
