"""Browser tests of the console: Debian's chromium driven by Playwright, against the simulators,
real Dramatiq workers on real Redis, and the console served on a loopback port.

One browser for all the browser tests and one simulated world for the package keep the suite fast;
each test opens its own browser context (its own cookies), signed in as the role it needs.
Playwright's own browser download is not used: the browser is /usr/bin/chromium (apt-get install
chromium; .ci/run installs it when missing). Playwright's launch gives it a fresh profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from producers.webconsole.working import WorkingCopies
from tests.console.world import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ConsoleWorld,
    SignIn,
    console_world,
    sign_in,
)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless; one for every browser test.

    Package-scoped, not session-scoped: Playwright's sync API keeps an event loop running in the
    test thread while it is open, and the rest of the suite calls asyncio.run.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def world(
    redis_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleWorld]:
    """A simulated org and Okta, a worker process, and the console, for the whole package."""
    with console_world(redis_server_url, tmp_path_factory.mktemp("console")) as built:
        yield built


@pytest.fixture
def fresh_working_copy(world: ConsoleWorld) -> Iterator[None]:
    """ada (the admin) starts and ends with no unsaved changes; a version saved meanwhile is
    rolled back, so the next test finds the configuration it expects."""
    store = world.state.config_store
    before = store.active()
    WorkingCopies(world.client).discard("ada")
    yield
    WorkingCopies(world.client).discard("ada")
    if store.active().digest != before.digest:
        store.rollback(before.version, author="test", source="cli")


@pytest.fixture
def signed_in(browser: Browser, world: ConsoleWorld) -> Iterator[SignIn]:
    """Open a fresh browser context signed in as one of the accounts (ada, otto or vera)."""
    contexts: list[BrowserContext] = []

    def open_as(name: str) -> Page:
        context = browser.new_context(base_url=world.url, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return sign_in(context.new_page(), name)

    yield open_as
    for context in contexts:
        context.close()
