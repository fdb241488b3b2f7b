"""How often an idle worker looks at its queues: a run's summary waits on the runs queue's look,
a parked message on its due time."""

from __future__ import annotations

import time

import dramatiq
import fakeredis
import pytest
from dramatiq.common import current_millis

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


def run_delayed_message(*, sent_by_the_worker_process: bool) -> int:
    """Milliseconds from a delayed message's due time to its actor running, under a Dramatiq
    worker whose consumers have backed off to a 2 s idle timeout."""
    server = fakeredis.FakeServer()
    broker = build_broker(client=fakeredis.FakeRedis(server=server))
    ran: list[int] = []

    @dramatiq.actor(broker=broker, queue_name="prompt", max_retries=0)
    def note_when_run() -> None:
        ran.append(current_millis())

    worker = dramatiq.Worker(broker, worker_timeout=2000, worker_threads=1)
    worker.start()
    try:
        time.sleep(2.5)  # both the queue's and its delay queue's consumers back off fully
        # Sent by another process, the worker learns the due time only when it fetches the
        # message: within one back-off, before the message falls due.
        sender = (
            broker
            if sent_by_the_worker_process
            else build_broker(client=fakeredis.FakeRedis(server=server))
        )
        sent = sender.enqueue(note_when_run.message(), delay=2500)
        due = int(sent.options["eta"])
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.stop()
    assert ran, "the delayed message never ran"
    return ran[0] - due


@pytest.mark.parametrize("sent_by_the_worker_process", [True, False])
def test_a_delayed_message_runs_just_after_it_falls_due_not_two_idle_back_offs_later(
    sent_by_the_worker_process: bool,
) -> None:
    late_ms = run_delayed_message(sent_by_the_worker_process=sent_by_the_worker_process)
    # Without the due times: the delay queue's consumer and then the queue's each wait out a
    # back-off of 1-2 s, about 1.5 s late on average.
    assert 0 <= late_ms <= 150  # measured 4-12 ms
