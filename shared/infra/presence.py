"""Which worker processes are alive, and what the fleet waits for, as the workers publish it.

Every worker process beats into one sorted set (``constants.WORKERS_KEY``) once a second, scored
by Redis's own clock, so hosts with skewed clocks agree. A process beating within ALIVE_WITHIN_S
is alive. The Okta rate limiter publishes, per bucket, until when the fleet waits for Okta's next
window (``constants.okta_wait_key``). Commands that wait for a run read both, to tell the
operator why it waits, or that nothing will ever finish it.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Final

import redis

from shared import constants
from shared.lua import lua_script
from shared.okta.buckets import ALL_BUCKETS

ALIVE_WITHIN_S: Final = 10.0  # a worker beats every second; ten missed beats mean it is gone
FORGET_AFTER_S: Final = 3600  # beats older than this are removed

BUCKET_WORDS: Final[dict[str, str]] = {
    "users-list-create": "user listing and creates",
    "user-get": "user reads",
    "user-update": "user writes",
    "user-lifecycle": "user activations",
    "user-groups": "user group reads",
    "groups": "group reads and writes",
    "group-members": "group memberships",
    "other": "other calls",
}

_BEAT = lua_script(__name__, "presence_beat.lua")

_ALIVE = lua_script(__name__, "presence_alive.lua")


def worker_id(pid: int) -> str:
    """The id a worker process beats under: ``host:pid``."""
    return f"{socket.gethostname()}:{pid}"


class Presence:
    """Worker heartbeats and the fleet's Okta waits, in Redis (synchronous client)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._beat = client.register_script(_BEAT)
        self._alive = client.register_script(_ALIVE)

    def beat(self, worker: str) -> None:
        """Say that a worker process is alive now."""
        self._beat(keys=[constants.WORKERS_KEY], args=[worker, FORGET_AFTER_S])

    def leave(self, worker: str) -> None:
        """Say that a worker process stopped (a killed one simply stops beating)."""
        self.client.zrem(constants.WORKERS_KEY, worker)

    def alive(self, within_s: float = ALIVE_WITHIN_S) -> int:
        """How many worker processes beat within the last ``within_s`` seconds."""
        return int(self._alive(keys=[constants.WORKERS_KEY], args=[within_s]))

    def okta_waits(self) -> dict[str, float]:
        """Bucket -> until when (epoch s) the fleet waits for its next Okta window."""
        keys = [constants.okta_wait_key(bucket) for bucket in ALL_BUCKETS]
        values = self.client.mget(keys)
        return {b: float(v) for b, v in zip(ALL_BUCKETS, values, strict=True) if v is not None}


def waiting_reason(waits: dict[str, float], now: float) -> str:
    """``waiting for Okta's rate limit (user writes) until 09:41:05``, or "" with no wait."""
    current = {bucket: until for bucket, until in waits.items() if until > now}
    if not current:
        return ""
    bucket, until = max(current.items(), key=lambda item: item[1])
    words = BUCKET_WORDS.get(bucket, bucket)
    others = len(current) - 1
    more = f" and {others} other bucket(s)" if others else ""
    return f"waiting for Okta's rate limit ({words}{more}) until {clock(until)}"


def clock(epoch_s: float) -> str:
    """A moment as local ``HH:MM:SS``."""
    return datetime.fromtimestamp(epoch_s).strftime("%H:%M:%S")
