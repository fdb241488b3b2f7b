"""The receiver follows the active configuration version: turning live sync off (or on) in a
new version changes its answers within seconds, without a restart."""

from __future__ import annotations

import dataclasses
import time
from contextlib import ExitStack

import redis

from producers.webhook import create_app
from shared.infra.config_store import ConfigStore
from sim.server import BackgroundServer
from tests.producers.live.support import FakeClock, loaded_config
from tests.producers.webhook.conftest import WebhookClient, person_event


def status_within(webhook: WebhookClient, wanted: str, timeout_s: float) -> tuple[str, float]:
    """Send events until one is answered with ``wanted``; (last status, seconds taken)."""
    started = time.monotonic()
    status = ""
    for attempt in range(1000):
        reply = webhook.send(person_event(f"p{attempt}", event_id=f"evt-{time.time_ns()}"))
        status = str(reply.body["status"])
        elapsed = time.monotonic() - started
        if status == wanted or elapsed > timeout_s:
            return status, elapsed
        time.sleep(0.1)
    return status, time.monotonic() - started


def test_live_sync_turned_off_in_a_new_version_is_followed_within_seconds(
    redis_url: str, client: redis.Redis
) -> None:
    loaded = loaded_config(redis_url, live_sync=True)
    store = ConfigStore(client)
    first = store.save(loaded.config, author="test", source="file")
    loaded = dataclasses.replace(loaded, version=first.version)
    with ExitStack() as stack:
        server = stack.enter_context(BackgroundServer(create_app(loaded, clock=FakeClock())))
        webhook = WebhookClient(server.url)
        assert status_within(webhook, "queued", 0)[0] == "queued"
        settings = loaded.config.settings.model_copy(update={"live_sync": False})
        store.save(
            loaded.config.model_copy(update={"settings": settings}), author="a", source="cli"
        )
        status, elapsed = status_within(webhook, "dropped", 10)
        assert status == "dropped" and elapsed < 5
        store.rollback(1, author="a", source="cli")
        assert status_within(webhook, "queued", 10)[0] == "queued"
