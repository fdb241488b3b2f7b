"""Set a process up as a hopsync worker: runtime, broker with middleware, and actors."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
import redis
import redis.asyncio as aioredis
from dramatiq.middleware import Middleware

from config.loader import LoadedConfig
from shared.infra.broker import HopsyncBroker, build_broker
from shared.infra.redis_client import connect_redis
from workers.middleware import ApiClients, DeadLetters, OktaMetrics, WorkerPresence
from workers.middleware.fleet_metrics import FleetPrometheus
from workers.runtime import Runtime, install


def setup_worker(
    loaded: LoadedConfig,
    *,
    client: redis.Redis | None = None,
    async_redis: Callable[[], aioredis.Redis] | None = None,
    prometheus: bool = False,
) -> tuple[HopsyncBroker, Runtime]:
    """Install the runtime and the broker, and declare the actors on it.

    With ``prometheus`` (worker processes started by the Dramatiq CLI), Dramatiq's Prometheus
    middleware counts messages per actor and serves every process's metrics on one port.
    """
    runtime = Runtime.create(loaded, client, async_redis)
    install(runtime)
    beats = client or connect_redis(
        loaded.secrets.redis_url, retries=0, socket_timeout=2, socket_connect_timeout=2
    )
    middleware: list[Middleware] = [DeadLetters(), OktaMetrics(), WorkerPresence(beats)]
    if prometheus:
        middleware.insert(0, FleetPrometheus())
    broker = build_broker(
        url=loaded.secrets.redis_url,
        client=client,
        settings=loaded.config.worker,
        extra_middleware=middleware,
        loop_middleware=[ApiClients()],
    )
    dramatiq.set_broker(broker)
    from workers import actors

    for actor in (actors.sync_person, actors.aggregate_run, actors.notify_run):
        actor.broker = broker
        broker.declare_actor(actor)
    return broker, runtime
