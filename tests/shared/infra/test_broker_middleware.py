"""The broker's middleware order: what needs Dramatiq's event loop shuts down before the loop."""

from __future__ import annotations

from typing import Any

import fakeredis
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from shared.infra.broker import build_broker


class LoopWitness(Middleware):
    """Notes whether Dramatiq's event loop runs when its worker hooks are called."""

    def __init__(self) -> None:
        self.loop_running: dict[str, bool] = {}

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        self.loop_running["boot"] = get_event_loop_thread() is not None

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        self.loop_running["shutdown"] = get_event_loop_thread() is not None


def test_loop_middleware_still_has_the_event_loop_when_the_worker_shuts_down() -> None:
    witness = LoopWitness()
    broker = build_broker(client=fakeredis.FakeRedis(), loop_middleware=[witness])
    broker.emit_before("worker_boot", None)
    broker.emit_after("worker_boot", None)
    broker.emit_before("worker_shutdown", None)
    broker.emit_after("worker_shutdown", None)
    assert witness.loop_running == {"boot": True, "shutdown": True}
    assert get_event_loop_thread() is None  # and the loop did stop afterwards
