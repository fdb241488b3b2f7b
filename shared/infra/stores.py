"""What a process keeps in Redis, on one client: the runs, the dead letters and the broker.

Workers, the producers and the operator commands connect here (``Stores.connect``), so each
opens its Redis the same way: through ``connect_redis``, which retries through a short outage.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from config.loader import LoadedConfig
from shared.infra.broker import HopsyncBroker, build_broker
from shared.infra.deadletters import DeadLetterStore
from shared.infra.redis_client import COMMAND_RETRIES, REDIS_RETRIES, connect_redis
from shared.infra.runs import RunStore


@dataclass
class Stores:
    """The configured Redis, with the run store, the dead-letter queue and the broker on it."""

    client: redis.Redis
    runs: RunStore
    dead_letters: DeadLetterStore
    broker: HopsyncBroker

    @classmethod
    def connect(
        cls,
        loaded: LoadedConfig,
        client: redis.Redis | None = None,
        *,
        retries: int = REDIS_RETRIES,
    ) -> Stores:
        """The stores on the Redis a configuration names (or on ``client``: fakeredis in the demo).

        ``retries``: how long a command rides a Redis outage (see shared/infra/redis_client.py).
        """
        connection = client or connect_redis(loaded.secrets.redis_url, retries=retries)
        return cls(
            client=connection,
            runs=RunStore(connection, loaded.config.runs_ttl_days),
            dead_letters=DeadLetterStore(connection),
            broker=build_broker(client=connection, settings=loaded.config.worker),
        )

    @classmethod
    def for_command(cls, loaded: LoadedConfig) -> Stores:
        """The stores of an operator's command: Redis commands retry for about 2 s, not 19."""
        return cls.connect(loaded, retries=COMMAND_RETRIES)
