"""How often an idle worker looks at its queues: a run's summary waits on the runs queue's look."""

from __future__ import annotations

import time

import fakeredis

from shared.constants import RUNS_QUEUE, SYNC_QUEUE
from shared.infra.broker import build_broker
from shared.infra.dramatiq_coupling import HopsyncBroker
from shared.infra.worker_launch import IDLE_POLL_MS, RUNS_IDLE_POLL_MS

LOOKS = 10
DRAMATIQ_WORKER_TIMEOUT_MS = 1000  # what a worker asks for when hopsync does not set it


def idle_looks_take(broker: HopsyncBroker, queue: str, worker_timeout_ms: int) -> float:
    """Seconds that LOOKS looks at an empty queue take, once the consumer has backed off."""
    consumer = broker.consume(queue, prefetch=1, timeout=worker_timeout_ms)
    for _ in range(9):  # Dramatiq backs off from 5 ms, doubling, up to the timeout
        assert next(consumer) is None
    started = time.monotonic()
    for _ in range(LOOKS):
        assert next(consumer) is None
    elapsed = time.monotonic() - started
    consumer.close()
    return elapsed


def test_an_idle_worker_looks_at_the_runs_queue_every_100_ms_whatever_its_timeout() -> None:
    broker = build_broker(client=fakeredis.FakeRedis())
    broker.declare_queue(RUNS_QUEUE)
    taken = idle_looks_take(broker, RUNS_QUEUE, DRAMATIQ_WORKER_TIMEOUT_MS)
    assert taken < LOOKS * (RUNS_IDLE_POLL_MS + 40) / 1000  # uncapped: at least 5 s


def test_an_idle_worker_looks_at_the_other_queues_no_more_often_than_its_timeout_allows() -> None:
    broker = build_broker(client=fakeredis.FakeRedis())
    broker.declare_queue(SYNC_QUEUE)
    # Dramatiq sleeps between half and all of the longest back-off when it finds nothing.
    assert idle_looks_take(broker, SYNC_QUEUE, IDLE_POLL_MS) >= LOOKS * IDLE_POLL_MS / 2 / 1000
