"""The console's test world: simulators, real worker processes, the console on a loopback port,
and Debian's chromium; shared by the browser tests and the screenshot script."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from config.loader import load_config
from harness.world import Simulation, WorkerFleet, start_simulation
from producers.cli import main
from producers.webconsole.app import create_app
from producers.webconsole.current import current
from producers.webconsole.state import ConsoleOptions, ConsoleState
from shared.core.rules import Rules
from sim.server import BackgroundServer

CHROMIUM = os.environ.get("HOPSYNC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
ACCOUNTS = {"ada": "admin", "otto": "operator", "vera": "viewer"}
PEOPLE = 80
# Wide safety limits: the seeded drift (a third of the org) must not hold every Resync All Now;
# the held-run test narrows them on purpose.
WIDE_LIMITS = {"max_updates": "100%", "max_group_removals": "100%", "max_creates": "1000"}
SignIn = Callable[[str], Page]  # the signed_in fixture: an account's name -> a signed-in page


@dataclass
class ConsoleWorld:
    """The simulators, the workers and the console serving on them."""

    sim: Simulation
    state: ConsoleState
    server: BackgroundServer
    client: redis.Redis

    @property
    def url(self) -> str:
        """The console's base URL."""
        return self.server.url


@contextmanager
def console_world(redis_url: str, workdir: Path, people: int = PEOPLE) -> Iterator[ConsoleWorld]:
    """Serve a generated org, a drifted Okta, one worker process and the console; then stop all."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    sim = start_simulation(
        workdir,
        redis_url,
        people=people,
        existing=0.7,
        drifted=0.3,
        config={"settings": {"safety": WIDE_LIMITS}},
    )
    fleet = WorkerFleet(sim.env, processes=1, threads=4, log_path=workdir / "workers.log").start()
    loaded = load_config(str(sim.config_path), environ=sim.env)
    state = ConsoleState.create(loaded, ConsoleOptions())
    current(state)  # the file saved as version 1, as a service starting on an empty Redis does
    for name, role in ACCOUNTS.items():
        state.accounts.add(name, PASSWORD, role)  # type: ignore[arg-type]
    server = BackgroundServer(create_app(state)).start()
    try:
        yield ConsoleWorld(sim=sim, state=state, server=server, client=client)
    finally:
        server.stop()
        fleet.stop()
        sim.close()
        client.flushdb()
        client.close()


def sign_in(page: Page, name: str) -> Page:
    """Sign a page in as one of the accounts; it lands on Runs."""
    page.goto("/signin")
    page.get_by_label("Account").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/runs")
    return page


def drift(world: ConsoleWorld, count: int) -> list[str]:
    """Give ``count`` Okta users a stale title; returns their logins."""
    okta = world.sim.okta
    logins = sorted(okta.users_by_login())[:count]
    with okta.lock:
        for login in logins:
            okta.directory.update_user(login, {"title": "Stale Title"}, replace=False)
    return logins


def active_rules(world: ConsoleWorld) -> Rules:
    """The rules of the active configuration version."""
    store = world.state.config_store
    number = store.active_number()
    assert number is not None
    return Rules.build(store.config(number))


def assert_okta_in_step(world: ConsoleWorld) -> int:
    """Every syncable person's Okta profile and managed groups are what the active rules say."""
    rules = active_rules(world)
    okta = world.sim.okta
    users = {login.casefold(): user for login, user in okta.users_by_login().items()}
    memberships: dict[str, set[str]] = {}
    for group in okta.groups():
        if group.profile.name in rules.groups:
            for member in okta.members(group.id):
                memberships.setdefault(member.id, set()).add(group.profile.name)
    checked = 0
    for person in world.sim.charthop.people.values():
        login = rules.match_value(person)
        if login is None or rules.starts_in_future(person):
            continue
        prepared = rules.prepare(person)
        user = users[login]
        wanted = {k: v for k, v in rules.desired_profile(prepared).items() if v is not None}
        assert {k: user.profile.get(k) for k in wanted} == wanted, login
        assert memberships.get(user.id, set()) == rules.desired_groups(prepared), login
        checked += 1
    return checked


def finished(page: Page) -> None:
    """Wait until the run page shows its summary (the live progress reloads it when done)."""
    expect(page.locator("#headline")).to_be_visible(timeout=60_000)


def run_cli(world: ConsoleWorld, *args: str) -> str:
    """Run a `hopsync` command against the world; returns its standard output (exit 0 asserted).

    In a thread of its own: the command runs its own event loop, and Playwright's sync API keeps
    one running in the test's thread.
    """
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(
            CliRunner().invoke, main, list(args), env=world.sim.env, catch_exceptions=False
        ).result()
    assert result.exit_code == 0, result.output
    return result.stdout
