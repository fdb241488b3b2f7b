"""How often an idle worker looks at its queues: a run's summary waits on the runs queue's look."""

from __future__ import annotations

import time

import fakeredis

from shared.constants import RUNS_QUEUE, SYNC_QUEUE
from shared.infra.broker import build_broker
from shared.infra.dramatiq_coupling import RUNS_IDLE_POLL_MS, HopsyncBroker
from shared.infra.worker_launch import IDLE_POLL_MS

LOOKS = 10


def idle_looks_take(broker: HopsyncBroker, queue: str) -> float:
    """Seconds that LOOKS looks at an empty queue take, once the consumer has backed off."""
    consumer = broker.consume(queue, prefetch=1, timeout=IDLE_POLL_MS)  # as a worker asks
    for _ in range(8):  # Dramatiq backs off from 5 ms, doubling, up to the timeout
        assert next(consumer) is None
    started = time.monotonic()
    for _ in range(LOOKS):
        assert next(consumer) is None
    elapsed = time.monotonic() - started
    consumer.close()
    return elapsed


def test_an_idle_worker_looks_at_the_runs_queue_four_times_as_often_as_at_the_others() -> None:
    broker = build_broker(client=fakeredis.FakeRedis())
    broker.declare_queue(RUNS_QUEUE)
    broker.declare_queue(SYNC_QUEUE)
    # Dramatiq sleeps between half and all of the longest back-off when it finds nothing.
    assert idle_looks_take(broker, SYNC_QUEUE) >= LOOKS * IDLE_POLL_MS / 2 / 1000
    assert idle_looks_take(broker, RUNS_QUEUE) < LOOKS * (RUNS_IDLE_POLL_MS + 40) / 1000
