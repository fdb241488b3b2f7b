"""No secret in any output of a whole run; no admin action over the webhook; chat URLs are http(s).

A run with a failing person (so errors, retries and dead letters exist), a dry run and a real run,
the notifications and the operator commands; then every byte they produced is searched.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis
from aiohttp import web
from click.testing import CliRunner

from config.loader import parse_config
from harness.world import CHARTHOP_TOKEN, DEFAULT_CONFIG, OKTA_TOKEN, WEBHOOK_SECRET, merge_config
from producers.cli import main
from shared.errors import ConfigError
from shared.infra.deadletters import DeadLetterStore
from sim.server import BackgroundServer
from tests.faults.conftest import Arena, Build, refuse_writes_to
from tests.security.conftest import RawClient, text

SECRETS = {
    "OKTA_API_TOKEN": OKTA_TOKEN,
    "CHARTHOP_API_TOKEN": CHARTHOP_TOKEN,
    "HOPSYNC_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
PEOPLE = 200


class ChatReceiver:
    """A chat webhook that keeps every body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        app = web.Application()
        app.router.add_post("/hook", self.receive)
        self.server = BackgroundServer(app).start()
        self.url = self.server.url + "/hook"

    async def receive(self, request: web.Request) -> web.Response:
        self.bodies.append((await request.read()).decode("utf-8", "replace"))
        return web.json_response({"ok": True})

    def wait_for(self, count: int, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.bodies) >= count, f"{len(self.bodies)} chat posts, expected {count}"


def cli(world: Arena, outputs: list[str], *args: str, code: int = 0) -> str:
    """Run a hopsync command against the world, keep its stdout and stderr; returns stdout."""
    env = {**world.sim.env, "HOPSYNC_LOG": "DEBUG"}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    outputs += [result.stdout, result.stderr]
    return result.stdout


def redis_dump(url: str) -> str:
    """Every value in the test's Redis database, as text."""
    client = redis.Redis.from_url(url)
    parts: list[str] = []
    try:
        for key in client.scan_iter(count=1000):
            kind = text(client.type(key))
            if kind == "string":
                parts.append(repr(client.get(key)))
            elif kind == "hash":
                parts.append(repr(client.hgetall(key)))
            elif kind == "zset":
                parts.append(repr(client.zrange(key, 0, -1)))
            elif kind == "list":
                parts.append(repr(client.lrange(key, 0, -1)))
            elif kind == "set":
                parts.append(repr(client.smembers(key)))
    finally:
        client.close()
    return "\n".join(parts)


@pytest.mark.slow
def test_no_secret_appears_in_logs_output_redis_dead_letters_or_chat(
    arena: Build, tmp_path: Path
) -> None:
    chat = ChatReceiver()
    victims: set[str] = set()
    try:
        world = arena(
            people=PEOPLE,
            existing=1.0,
            drifted=0.5,
            missing_groups=0,
            okta_middlewares=[refuse_writes_to(victims)],
            config={"okta": {"max_retries": 1}, "settings": {"chat_webhook_url": chat.url}},
        )
        victim = sorted(world.sim.seed_report.drifted_keys)[0]
        login = world.sim.charthop.people[victim]["contact"]["workEmail"]
        victims.add(world.sim.okta.user(login).id)
        outputs: list[str] = []
        cli(world, outputs, "check")
        cli(world, outputs, "resync", "--dry-run", "--wait", "--json", "--timeout", "90")
        real = json.loads(
            cli(world, outputs, "resync", "--wait", "--json", "--timeout", "90", code=1)
        )
        assert real["counts"]["failed"] == 1  # errors really exist to leak from
        chat.wait_for(2)
        letters = DeadLetterStore(world.runs.client).entries()
        assert [letter.item_key for letter in letters] == [victim]
        cli(world, outputs, "dlq", "list")
        cli(world, outputs, "dlq", "show", letters[0].id)
        cli(world, outputs, "runs")
        cli(world, outputs, "runs", "show", real["run_id"], code=1)
        for file_format in ("csv", "json"):
            out = tmp_path / f"export.{file_format}"
            cli(world, outputs, "export", "--out", str(out), "--format", file_format)
            outputs.append(out.read_text())
        for fleet in world.fleets:
            fleet.stop()  # flush and close the worker logs
        everything = {
            "cli": "\n".join(outputs),
            "worker logs": world.logs(),
            "redis": redis_dump(world.sim.redis_url),
            "chat": "\n".join(chat.bodies),
        }
    finally:
        chat.server.stop()
    assert "OktaServerError" in everything["redis"]  # the dead letter's error is in the dump
    assert everything["worker logs"].strip()
    assert real["run_id"] in everything["chat"]  # the chat posts really were collected
    leaks = [
        (where, name)
        for where, text in everything.items()
        for name, value in SECRETS.items()
        if value in text
    ]
    assert leaks == []


ADMIN_PATHS = [
    "/admin",
    "/admin/resync",
    "/resync",
    "/runs",
    "/dlq",
    "/dlq/replay",
    "/api/resync",
    "/metrics/reset",
    "/config",
    "/debug",
    "/webhooks/charthop/replay",
    "/webhooks/charthop/../admin",
    "/%2e%2e/admin",
]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_no_admin_action_is_reachable_over_the_webhook_server(
    receiver: RawClient, method: str
) -> None:
    headers = {"Authorization": "Bearer whsec-test-6f1c2a9e", "Content-Type": "application/json"}
    for path in ADMIN_PATHS:
        answer = receiver.send(method, path, b"{}" if method != "GET" else None, headers)
        assert answer.status in (404, 405), (method, path, answer.status)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://chat.example/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://chat.example:70/_",
        "redis://127.0.0.1:6379/0",
        "chat.example/hook",
        "http://",
        "",
    ],
)
def test_a_chat_webhook_url_that_is_not_http_is_refused_at_load(url: str) -> None:
    raw = merge_config(DEFAULT_CONFIG, {"settings": {"chat_webhook_url": url}})
    raw["charthop"] = {**raw["charthop"], "base_url": "http://127.0.0.1:1"}
    with pytest.raises(ConfigError) as refused:
        parse_config(raw)
    assert [path for path, _ in refused.value.problems] == ["settings.chat_webhook_url"]
