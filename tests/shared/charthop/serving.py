"""Run an aiohttp app on a loopback port inside the test's own event loop, with a client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from shared.charthop import ChartHopClient, ChartHopSettings
from sim.charthop import DEFAULT_TOKEN, FakeChartHop, create_app


@dataclass
class Harness:
    """A client wired to a served app; ``sleeps`` records every retry pause instead of sleeping."""

    client: ChartHopClient
    url: str
    sleeps: list[float]


@asynccontextmanager
async def served(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 and yield its base URL."""
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@asynccontextmanager
async def harness(
    app: web.Application, *, org: str = "acme", token: str = DEFAULT_TOKEN, **settings: Any
) -> AsyncIterator[Harness]:
    """A ChartHop client (fast retries, recorded sleeps) talking to ``app``."""
    async with served(app) as url, aiohttp.ClientSession() as session:
        options: dict[str, Any] = {"max_retries": 3, "timeout_s": 5, **settings}
        config = ChartHopSettings(base_url=url, org=org, token=SecretStr(token), **options)
        sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)

        yield Harness(ChartHopClient(config, session, sleep=sleep), url, sleeps)


@asynccontextmanager
async def fake_harness(state: FakeChartHop, **settings: Any) -> AsyncIterator[Harness]:
    """A ChartHop client talking to a fake ChartHop holding ``state``."""
    async with harness(create_app(state), **{"org": state.org, **settings}) as box:
        yield box
