"""The fake Okta as an aiohttp application, and ``main`` to serve it from the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

from sim.okta.buckets import ALL_BUCKETS
from sim.okta.gate import gate
from sim.okta.handlers import STATE, add_routes
from sim.okta.settings import FakeOktaSettings
from sim.okta.state import FakeOkta


def create_app(state: FakeOkta, *, middlewares: Sequence[Middleware] = ()) -> web.Application:
    """An aiohttp app serving ``state``; extra ``middlewares`` wrap everything (outermost first).

    Serve it with ``sim.server.BackgroundServer(create_app(state))`` in tests and benchmarks.
    """
    app = web.Application(middlewares=[*middlewares, gate])
    app[STATE] = state
    add_routes(app)
    return app


def main(
    port: int,
    *,
    host: str = "127.0.0.1",
    token: str = "fake-okta-token",
    window_s: float = 60.0,
    limit: int | None = None,
    concurrency_limit: int = 75,
    latency_s: float = 0.0,
    attributes: Iterable[str] = (),
    state: FakeOkta | None = None,
) -> None:
    """Serve a fake Okta on ``host:port`` until interrupted (``hopsync sim okta --port N``).

    ``limit`` sets every bucket's per-window limit (default: Okta's Enterprise limits);
    ``attributes`` declares custom profile attributes; ``state`` serves a pre-seeded org instead.
    """
    if state is None:
        settings = FakeOktaSettings(
            token=token, window_s=window_s, concurrency_limit=concurrency_limit
        )
        if limit is not None:
            settings = settings.model_copy(update={"limits": dict.fromkeys(ALL_BUCKETS, limit)})
        state = FakeOkta(settings)
    state.declare_attribute(*attributes)
    state.set_latency(latency_s)
    url = f"http://{host}:{port}"
    print(f"fake Okta on {url} (API token: {state.settings.token})", flush=True)
    print(
        f'  point hopsync at it: okta.base_url: "{url}" and OKTA_API_TOKEN={state.settings.token}',
        flush=True,
    )
    web.run_app(create_app(state), host=host, port=port, print=None, access_log=None)
