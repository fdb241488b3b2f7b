"""Serve a fake ChartHop from the command line (``hopsync sim charthop --port N``); blocks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aiohttp import web

from sim.charthop.app import create_app
from sim.charthop.loader import load_org
from sim.charthop.state import DEFAULT_TOKEN, FakeChartHop


def build_state(
    size: int,
    seed: int,
    *,
    org: str = "acme",
    token: str = DEFAULT_TOKEN,
    org_file: str | Path | None = None,
    departed: int = 0,
    today: date | None = None,
    domain: str = "acme.example",
) -> FakeChartHop:
    """The fake's state: people from ``org_file`` when given, else a generated org of ``size``."""
    if org_file is not None:
        return FakeChartHop(load_org(org_file), org=org, token=token)
    return FakeChartHop.generated(
        size, seed=seed, departed=departed, today=today, org=org, token=token, domain=domain
    )


def main(
    port: int,
    size: int,
    seed: int,
    *,
    host: str = "127.0.0.1",
    org: str = "acme",
    token: str = DEFAULT_TOKEN,
    org_file: str | Path | None = None,
    departed: int = 0,
    latency_s: float = 0.0,
    today: date | None = None,
    domain: str = "acme.example",
) -> None:
    """Serve a fake ChartHop on ``host:port`` until interrupted."""
    state = build_state(
        size,
        seed,
        org=org,
        token=token,
        org_file=org_file,
        departed=departed,
        today=today,
        domain=domain,
    )
    state.latency_s = latency_s
    url = f"http://{host}:{port}"
    print(
        f"fake ChartHop: org {org!r} (id {state.org_id}), {len(state.people)} people,"
        f" {len(state.departed)} departed, at {url}/v2/org/{org}/person (API token: {token})",
        flush=True,
    )
    print(
        f'  point hopsync at it: charthop: {{org: {org}, base_url: "{url}"}} and '
        f"CHARTHOP_API_TOKEN={token}",
        flush=True,
    )
    web.run_app(create_app(state), host=host, port=port, print=None, access_log=None)
