"""The parts of Dramatiq hopsync relies on beyond its public API are there in the installed release.

Each test names one item of shared/infra/dramatiq_coupling.py's list. When a Dramatiq upgrade breaks
one, this file says which, before the fault tests (slow, and indirect) would.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import dramatiq
import fakeredis
import pytest
from dramatiq.brokers import redis as redis_broker
from dramatiq.middleware import Middleware, Retries, prometheus
from packaging.requirements import Requirement

from shared.infra.broker import build_broker
from shared.infra.dramatiq_coupling import HopsyncBroker, unacked_key

ROOT = Path(__file__).resolve().parents[3]
QUEUE = "coupling"


def declared_dramatiq() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(line) for line in project["dependencies"]]
    [dramatiq_requirement] = [req for req in found if req.name == "dramatiq"]
    return dramatiq_requirement


@pytest.fixture
def broker() -> HopsyncBroker:
    made = build_broker(client=fakeredis.FakeRedis())
    made.declare_queue(QUEUE)
    return made


def message(number: int) -> dramatiq.Message[Any]:
    return dramatiq.Message(
        queue_name=QUEUE, actor_name="noop", args=(number,), kwargs={}, options={}
    )


def test_the_installed_dramatiq_is_within_the_declared_bounds_and_they_have_a_ceiling() -> None:
    requirement = declared_dramatiq()
    assert any(spec.operator == "<" for spec in requirement.specifier), requirement
    assert requirement.specifier.contains(metadata.version("dramatiq"))


def test_the_redis_broker_still_makes_do_methods_by_name_and_its_consumer_calls_ours() -> None:
    consumer_source = inspect.getsource(redis_broker._RedisConsumer)
    for command in ("fetch", "ack", "nack", "requeue"):
        assert f"self.broker.do_{command}(" in consumer_source
    assert "do_" in inspect.getsource(redis_broker.RedisBroker.__getattr__)


def test_the_private_dispatch_helpers_keep_their_names_and_arguments() -> None:
    broker_class = redis_broker.RedisBroker
    assert list(inspect.signature(broker_class._dispatch).parameters) == ["self", "command"]
    assert list(inspect.signature(broker_class._should_do_maintenance).parameters) == [
        "self",
        "command",
    ]
    assert list(inspect.signature(broker_class._max_unpack_size).parameters) == ["self"]


def test_dispatch_lua_reads_its_arguments_in_the_order_hopsync_sends_them(
    broker: HopsyncBroker,
) -> None:
    loaded = broker.scripts["dispatch"].script  # the script the broker registered
    script = loaded.decode() if isinstance(loaded, bytes) else loaded
    layout = re.findall(r"local (\w+) = ARGV\[(\d+)\]", script)
    assert layout == [
        ("command", "1"),
        ("timestamp", "2"),
        ("queue_name", "3"),
        ("worker_id", "4"),
        ("heartbeat_timeout", "5"),
        ("dead_message_ttl", "6"),
        ("do_maintenance", "7"),
        ("max_unpack_size", "8"),
    ]
    assert "for i=9,#ARGV do" in script  # the command's own arguments follow
    assert 'namespace .. ":__acks__." .. worker_id' in script


def test_a_bulk_enqueue_stores_messages_as_dramatiqs_own_enqueue_does(
    broker: HopsyncBroker,
) -> None:
    assert broker.enqueue_many([message(1), message(2)]) == 2
    broker.enqueue(message(3))
    client = broker.client
    queue_key = f"{broker.namespace}:{QUEUE}"
    ids = [raw.decode() for raw in client.lrange(queue_key, 0, -1)]
    stored = client.hgetall(f"{queue_key}.msgs")
    assert len(ids) == 3 and set(stored) == {i.encode() for i in ids}
    bodies = [dramatiq.Message.decode(stored[i.encode()]).args for i in ids]
    assert sorted(bodies) == [(1,), (2,), (3,)]


def test_fetched_messages_sit_in_the_unacked_set_hopsync_reconciles(broker: HopsyncBroker) -> None:
    broker.enqueue(message(1))
    consumer = broker.consume(QUEUE, prefetch=1, timeout=100)
    fetched = next(iter(consumer))
    assert fetched is not None
    redis_id = fetched.options["redis_message_id"]
    members = broker.client.smembers(unacked_key(broker, QUEUE))
    assert members == {redis_id.encode()}
    assert broker._held[QUEUE] == {redis_id}  # our do_fetch saw it
    consumer.ack(fetched)
    assert broker.client.smembers(unacked_key(broker, QUEUE)) == set()
    assert broker._held[QUEUE] == set()  # and our do_ack settled it
    consumer.close()


def test_retries_enqueue_a_retry_through_the_brokers_enqueue() -> None:
    source = inspect.getsource(Retries.after_process_message)
    assert "broker.enqueue(" in source


def test_the_command_line_and_the_prometheus_settings_hopsync_uses_exist() -> None:
    from dramatiq import cli

    assert callable(cli.main)
    assert "--skip-logging" in inspect.getsource(cli)
    assert {"DB_PATH", "HTTP_HOST", "HTTP_PORT"} <= set(vars(prometheus))
    assert isinstance(inspect.getattr_static(Middleware, "forks"), property)


def test_the_redis_broker_still_makes_its_consumer_from_consumer_class_and_backs_off_by_timeout(
    broker: HopsyncBroker,
) -> None:
    assert "self.consumer_class(" in inspect.getsource(redis_broker.RedisBroker.consume)
    assert "max_backoff=self.timeout" in inspect.getsource(redis_broker._RedisConsumer.__next__)
    made = inspect.getsource(redis_broker._RedisConsumer.__init__)
    assert made.index("self.queue_name = ") < made.index("self.timeout = ")  # the setter reads it
    consumer = broker.consume(QUEUE, prefetch=1, timeout=700)
    assert isinstance(consumer, redis_broker._RedisConsumer)
    assert consumer.timeout == 700  # nothing due: the worker's own idle timeout


def test_a_delayed_message_still_goes_to_the_delay_queue_with_its_due_time_in_eta(
    broker: HopsyncBroker,
) -> None:
    sent = broker.enqueue(message(1), delay=60_000)
    assert sent.queue_name == f"{QUEUE}.DQ"
    assert isinstance(sent.options["eta"], int)
    [fetched] = broker.do_fetch(f"{QUEUE}.DQ", 1)
    assert fetched is not None
    assert dramatiq.Message.decode(fetched).options["eta"] == sent.options["eta"]
