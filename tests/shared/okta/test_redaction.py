"""The API token never shows in a repr, an error message or a log line."""

from __future__ import annotations

import socket

import pytest
import structlog
from aiohttp import web

from shared.errors import ApiError, OktaAuthError, OktaError, TransportError
from shared.okta import NoopRateLimiter, OktaClient
from sim.server import BackgroundServer
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import TOKEN, fake_okta, settings_for, with_client


def test_settings_and_client_reprs_hide_the_token(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake_okta())
    settings = settings_for(server)

    async def scenario(client: OktaClient) -> list[str]:
        return [repr(client), repr(client.transport), repr(client.limiter), str(client.counters)]

    shown = [repr(settings), str(settings), settings.model_dump_json()]
    shown += with_client(server, scenario)
    assert all(TOKEN not in text for text in shown)
    assert "http://127.0.0.1" in shown[3]


def test_an_auth_error_does_not_carry_the_token(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake_okta())
    with pytest.raises(OktaAuthError) as caught:
        with_client(server, lambda c: c.get_user("00u1"), token=TOKEN + "-old")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value.details())


def test_a_token_echoed_by_a_server_is_blanked_in_the_error() -> None:
    async def echo(request: web.Request) -> web.Response:
        summary = f"bad credentials: {request.headers['Authorization']}"
        return web.json_response({"errorCode": "E0000011", "errorSummary": summary}, status=401)

    app = web.Application()
    app.router.add_get("/api/v1/users/{id}", echo)
    with BackgroundServer(app) as server, pytest.raises(OktaError) as caught:
        with_client(server, lambda c: c.get_user("00u1"), limiter=NoopRateLimiter())
    assert TOKEN not in str(caught.value)
    assert "SSWS ***" in str(caught.value)


def test_a_transport_error_does_not_carry_the_token() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(TransportError) as caught:
        with_client(url, lambda c: c.get_user("00u1"), limiter=NoopRateLimiter(), max_retries=1)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_logs_of_retries_do_not_carry_the_token(
    serve_okta: ServeOkta, capsys: pytest.CaptureFixture[str]
) -> None:
    state = fake_okta()
    state.start_storm("concurrency", requests=2)
    state.fail_next(1)
    server = serve_okta(state)
    with structlog.testing.capture_logs() as logs, pytest.raises(ApiError):
        with_client(server, lambda c: c.get_user("00unope"), limiter=NoopRateLimiter())
    assert [entry["reason"] for entry in logs] == ["concurrency", "concurrency", "server"]
    assert TOKEN not in repr(logs)
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
