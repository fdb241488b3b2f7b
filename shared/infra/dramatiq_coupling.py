"""Everything hopsync relies on in Dramatiq beyond its public API, in this one module.

``HopsyncBroker`` and ``DurableRetries`` lean on these parts of Dramatiq, which a release may
change without notice; tests/shared/infra/test_dramatiq_coupling.py checks each against the
installed Dramatiq, and pyproject.toml bounds its version below the next minor release:

- ``RedisBroker`` builds ``do_<command>`` methods in ``__getattr__``; its consumer calls
  ``do_fetch``, ``do_ack``, ``do_nack`` and ``do_requeue``, which ``HopsyncBroker`` overrides.
- the private ``RedisBroker._dispatch(command)``, ``_should_do_maintenance`` and
  ``_max_unpack_size``, ``scripts["dispatch"]``, and the argument layout of ``dispatch.lua``
  (``_dispatch_args``), which ``enqueue_many`` sends through a pipeline;
- the key of a worker's unacked messages, ``{namespace}:__acks__.{broker_id}.{queue}``;
- ``Retries.after_process_message`` enqueueing a message's retry through ``broker.enqueue``;
- ``RedisBroker.consumer_class``, the private ``_RedisConsumer`` it returns, and that consumer
  setting its ``timeout`` attribute after ``queue_name`` and reading it as the longest idle
  back-off before each look (``_PromptConsumer`` makes it a property);
- a delayed message carrying its due time in ``options["eta"]`` (epoch ms) on a ``.DQ`` queue.

Everywhere else hopsync uses Dramatiq's public API (workers/fleet_main.py supervises worker
processes that each run a ``dramatiq.Worker``), except its Prometheus middleware's module
settings (workers/middleware/fleet_metrics.py), which the same test checks.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

import dramatiq
import structlog
from dramatiq.broker import Consumer, MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import current_millis
from dramatiq.message import Message
from dramatiq.middleware import Retries
from redis.exceptions import NoScriptError

from shared.infra.due_times import DueTimes
from shared.infra.redis_client import REDIS_DOWN, wait_for_redis
from shared.infra.worker_launch import idle_poll_ms

RECONCILE_EVERY_S: Final = 5.0  # how often a consumer looks for messages a fetch stranded

log = structlog.get_logger(__name__)


def unacked_key(broker: RedisBroker, queue_name: str) -> str:
    """The Redis set of the messages this broker's worker fetched from a queue and not settled."""
    return f"{broker.namespace}:__acks__.{broker.broker_id}.{queue_name}"


class HopsyncBroker(RedisBroker):
    """Dramatiq's Redis broker, plus bulk enqueueing and giving back messages a fetch stranded.

    Dramatiq's fetch moves messages to the worker's unacked set in Redis and returns them. When
    Redis dies after doing so but before answering (it writes the AOF first), the client retries
    and the first batch stays unacked under a worker that never saw it, and that is alive, so no
    one requeues it. The same happens to the delayed messages a consumer drops when it meets a
    connection error. So each process remembers the messages it fetched and has not settled, and
    every ``RECONCILE_EVERY_S`` a consumer requeues its unacked messages that the process does
    not hold. The consumer thread of a queue is its only fetcher, so none is fetched meanwhile.

    Its consumers also look again just after a delayed message this process sent or holds falls
    due (shared/infra/due_times.py), so a message parked until Okta's next window runs as it
    opens, not up to two idle back-offs later.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[no-untyped-call]
        self.due_times = DueTimes()
        self._held: dict[str, set[str]] = defaultdict(set)  # queue -> fetched, not yet settled
        self._held_lock = threading.Lock()
        self._reconciled_at: dict[str, float] = {}

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        """A consumer of the queue; Dramatiq makes a new one after a connection error."""
        if queue_name not in self._reconciled_at:
            self._reconciled_at[queue_name] = time.monotonic()
        else:  # a restart: reconcile at the first fetch
            self._reconciled_at[queue_name] = 0.0
            if queue_name.endswith(".DQ"):  # Dramatiq dropped the delayed messages it held
                with self._held_lock:
                    self._held.pop(queue_name, None)
        return super().consume(queue_name, prefetch, timeout)

    @property
    def consumer_class(self) -> type[Consumer]:
        return _PromptConsumer

    def enqueue(
        self, message: dramatiq.Message[Any], *, delay: int | None = None
    ) -> dramatiq.Message[Any]:
        """Dramatiq's enqueue; a delayed message's due time is noted for this process."""
        sent: dramatiq.Message[Any] = super().enqueue(message, delay=delay)
        if delay is not None:
            self.due_times.note(sent.queue_name, sent.options["eta"])
        return sent

    def do_fetch(self, queue_name: str, prefetch: int) -> list[bytes | None]:
        """Dramatiq's fetch, remembering what it returned; reconciles the queue now and then."""
        self._reconcile(queue_name)
        fetch = self._dispatch("fetch")  # type: ignore[no-untyped-call]
        fetched: list[bytes | None] = fetch(queue_name, prefetch)
        messages = [Message.decode(data) for data in fetched if data]
        with self._held_lock:
            self._held[queue_name].update(m.options["redis_message_id"] for m in messages)
        for held in messages:
            if isinstance(held.options.get("eta"), int | float):
                self.due_times.note(queue_name, held.options["eta"])
        return fetched

    def do_ack(self, queue_name: str, message_id: str) -> Any:
        """Dramatiq's ack; the message is settled."""
        return self._settle("ack", queue_name, message_id)

    def do_nack(self, queue_name: str, message_id: str) -> Any:
        """Dramatiq's nack (to its dead-letter queue); the message is settled."""
        return self._settle("nack", queue_name, message_id)

    def do_requeue(self, queue_name: str, *message_ids: str) -> Any:
        """Dramatiq's requeue (unacked messages back on their queue); they are settled."""
        return self._settle("requeue", queue_name, *message_ids)

    def _settle(self, command: str, queue_name: str, *message_ids: str) -> Any:
        dispatch = self._dispatch(command)  # type: ignore[no-untyped-call]
        result = dispatch(queue_name, *message_ids)
        with self._held_lock:
            self._held[queue_name].difference_update(message_ids)
        return result

    def _reconcile(self, queue_name: str) -> None:
        """Requeue this worker's unacked messages of the queue that the process does not hold."""
        now = time.monotonic()
        if now - self._reconciled_at.get(queue_name, 0.0) < RECONCILE_EVERY_S:
            return
        self._reconciled_at[queue_name] = now
        unacked = unacked_key(self, queue_name)
        try:
            members = {_text(member) for member in self.client.smembers(unacked)}
        except REDIS_DOWN:
            return  # the fetch that follows meets the same error, and Dramatiq handles it
        # An ack between SMEMBERS and this read leaves a stale id here; requeue ignores it.
        with self._held_lock:
            stranded = sorted(members - self._held[queue_name])
        if stranded:
            log.warning("stranded messages requeued", queue=queue_name, count=len(stranded))
            self._settle("requeue", queue_name, *stranded)

    def enqueue_many(self, messages: Sequence[dramatiq.Message[Any]], chunk: int = 500) -> int:
        """Enqueue messages through Redis pipelines; returns how many were enqueued.

        Each message goes through the same dispatch script and middleware hooks as ``enqueue``;
        only the round trips are shared.
        """
        count = 0
        for start in range(0, len(messages), chunk):
            batch = [self._prepared(message) for message in messages[start : start + chunk]]
            for message in batch:
                self.emit_before("enqueue", message, None)
            try:
                self._send(batch)
            except NoScriptError:
                # Redis restarted and lost its scripts while the client retried the pipeline,
                # which loads them only before its first try: the new pipeline loads them.
                self._send(batch)
            for message in batch:
                self.emit_after("enqueue", message, None)
            count += len(batch)
        return count

    def _send(self, batch: Sequence[dramatiq.Message[Any]]) -> None:
        dispatch = self.scripts["dispatch"]
        with self.client.pipeline(transaction=False) as pipe:
            for message in batch:
                args = self._dispatch_args("enqueue", message)
                dispatch(keys=[self.namespace], args=args, client=pipe)
            pipe.execute()

    def _prepared(self, message: dramatiq.Message[Any]) -> dramatiq.Message[Any]:
        self.declare_queue(message.queue_name)
        return message.copy(options={"redis_message_id": str(uuid.uuid4())})

    def _dispatch_args(self, command: str, message: dramatiq.Message[Any]) -> list[Any]:
        # The argument layout of dramatiq's dispatch.lua, as its own _dispatch builds it.
        return [
            command,
            current_millis(),
            message.queue_name,
            self.broker_id,
            self.heartbeat_timeout,
            self.dead_message_ttl,
            self._should_do_maintenance(command),
            self._max_unpack_size(),  # type: ignore[no-untyped-call]
            message.options["redis_message_id"],
            message.encode(),
        ]


class _PromptConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer, whose idle back-off is hopsync's for its queue
    (``idle_poll_ms``) and ends just after a delayed message of the queue falls due. Dramatiq
    sets ``timeout`` once, to the worker's timeout, and reads it before each idle sleep."""

    broker: HopsyncBroker
    queue_name: str

    @property
    def timeout(self) -> int:
        return self.broker.due_times.timeout_ms(self.queue_name, self._idle_timeout)

    @timeout.setter
    def timeout(self, worker_timeout_ms: int) -> None:
        self._idle_timeout = idle_poll_ms(self.queue_name, worker_timeout_ms)


class DurableRetries(Retries):
    """Dramatiq's Retries, except that a retry is never lost because Redis is down.

    Dramatiq logs a retry it could not enqueue and then acks the message, which loses it: a
    message that failed because Redis went away would never run again. Here the retry's enqueue
    waits for Redis, and the message is acked only once its retry is stored.
    """

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        super().after_process_message(  # type: ignore[no-untyped-call]
            _PatientEnqueue(broker), message, result=result, exception=exception
        )


class _PatientEnqueue:
    """A broker whose ``enqueue`` waits for Redis; everything else goes to the real broker."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._broker, name)

    def enqueue(
        self, message: dramatiq.Message[Any], *, delay: int | None = None
    ) -> dramatiq.Message[Any]:
        return wait_for_redis(
            lambda: self._broker.enqueue(message, delay=delay),
            f"enqueue the retry of message {message.message_id}",
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
