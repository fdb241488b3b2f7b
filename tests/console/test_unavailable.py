"""When Redis does not answer, the console says so on every page (503), with what to do: the
console keeps its accounts, sessions and settings there, so nothing else can be shown."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page, expect

from producers.webconsole.app import create_app
from producers.webconsole.guard import COOKIE
from producers.webconsole.state import ConsoleOptions, ConsoleState
from sim.server import BackgroundServer
from tests.console.world import PASSWORD, ConsoleWorld


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def console_without_redis(world: ConsoleWorld) -> Iterator[tuple[str, str]]:
    """The console served with REDIS_URL naming a port nothing listens on; (its URL, Redis's)."""
    redis_url = f"redis://127.0.0.1:{unused_port()}/0"
    loaded = world.state.loaded
    secrets = loaded.secrets.model_copy(update={"redis_url": redis_url})
    state = ConsoleState.create(replace(loaded, secrets=secrets), ConsoleOptions())
    server = BackgroundServer(create_app(state)).start()
    yield server.url, redis_url
    server.stop()


def test_every_page_says_redis_does_not_answer_and_what_to_do(
    browser: Browser, console_without_redis: tuple[str, str]
) -> None:
    url, redis_url = console_without_redis
    context = browser.new_context(base_url=url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/signin")  # the form itself needs nothing from Redis
    page.get_by_label("Account").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()  # the attempts are counted in Redis
    said(page, redis_url)
    context.add_cookies([{"name": COOKIE, "value": "a-session-token", "url": url}])
    page.goto("/runs")  # a session is looked up in Redis
    said(page, redis_url)
    assert context.request.get("/groups").status == 503
    context.close()


def said(page: Page, redis_url: str) -> None:
    expect(page.get_by_role("heading", name="Redis does not answer")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(redis_url)
    expect(page.locator("main")).to_contain_text("set REDIS_URL to where it runs")
