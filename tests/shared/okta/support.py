"""Helpers of the Okta client tests: a client on a fake Okta, run to completion."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from shared.okta import OktaClient, OktaClientSettings, Policy, RateLimiter
from sim.okta import FakeOkta
from sim.server import BackgroundServer

T = TypeVar("T")
TOKEN = "00aSecretTokenValue-1234567890"


def fake_okta(**overrides: Any) -> FakeOkta:
    """A fake Okta that accepts TOKEN."""
    return FakeOkta(token=TOKEN, **overrides)


def settings_for(server: BackgroundServer | str, **overrides: Any) -> OktaClientSettings:
    """Client settings for ``server`` (or a base URL) with quick retries."""
    values: dict[str, Any] = {
        "base_url": server if isinstance(server, str) else server.url,
        "token": TOKEN,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "timeout_s": 5,
        "rate_limit": Policy(share=1.0),  # the whole of the fake's budget: nobody else uses it
    }
    values.update(overrides)
    return OktaClientSettings(**values)


def with_client(
    server: BackgroundServer | str,
    scenario: Callable[[OktaClient], Awaitable[T]],
    *,
    limiter: RateLimiter | None = None,
    **overrides: Any,
) -> T:
    """Run ``scenario`` with a client of ``server`` in a fresh event loop; its result."""

    async def run() -> T:
        async with aiohttp.ClientSession() as session:
            client = OktaClient(settings_for(server, **overrides), session, limiter)
            return await scenario(client)

    return asyncio.run(run())
