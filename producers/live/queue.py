"""The live-sync queue in Redis: pending entries by due time, claimed entries by lease expiry.

The webhook receiver adds ``person:<id>`` or ``job:<id>`` members to LIVE_PENDING (ZADD NX, so
a burst keeps its first due time). A flusher claims due members by moving them to LIVE_INFLIGHT
scored by a lease expiry, enqueues their sync messages, then releases them. A member whose lease
expired (its flusher died) goes back to LIVE_PENDING, due at once, in the same claim script.

A person gets at most one live sync message that is queued and not yet started. Once its
message is on the queue, the flusher marks the person ``queued`` (``live_queued_key``, holding
the message's item key); the worker deletes the mark when the message starts, before it reads
ChartHop (``workers.sync.mark_started``). A flusher finding the mark enqueues nothing more: the
queued message reads the person's latest state when it runs; the receiver finding it does not
even make the person pending again (producers.webhook.intake), so an event that arrives while the
message waits is folded into it even if the message starts before the entry would have been
due. A person whose message already started is not marked, so events that arrive during a sync
get a sync of their own afterwards.
The mark is set after the enqueue, and not at all when the message has already started, so it
never names a message that is not waiting on the queue (unless the message was lost: it then
expires after QUEUED_TTL_S, and the next event is synced again).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import redis

from producers.live.hold import SYNC_BUCKETS, BucketWindow, Lift
from shared import constants
from shared.lua import lua_script

PERSON: Final = "person"
JOB: Final = "job"
TargetKind = Literal["person", "job"]
QUEUED_TTL_S: Final = 3600  # a queued mark outlives any normal wait on the sync queue

# The scripts, each with its KEYS and ARGV described at its top.
_CLAIM = lua_script(__name__, "queue_claim.lua")
_RELEASE = lua_script(__name__, "queue_release.lua")
_UNQUEUED = lua_script(__name__, "queue_unqueued.lua")
_MARK = lua_script(__name__, "queue_mark.lua")


@dataclass(frozen=True)
class Target:
    """What a pending entry names: a person, or a job still to be resolved to its person."""

    kind: TargetKind
    id: str

    @property
    def member(self) -> str:
        """The sorted-set member, ``person:<id>`` or ``job:<id>``."""
        return f"{self.kind}:{self.id}"


def parse_member(member: str) -> Target | None:
    """The target a member names, or None when it is not ``person:<id>`` or ``job:<id>``."""
    kind, _, target_id = member.partition(":")
    if kind == PERSON and target_id:
        return Target(PERSON, target_id)
    if kind == JOB and target_id:
        return Target(JOB, target_id)
    return None


@dataclass(frozen=True)
class Claim:
    """Members claimed together under one lease (the lease is what releases them)."""

    members: list[str]
    lease_until: float
    token: str  # names the claim's record; stable across retries of one claim


class LiveQueue:
    """Claims and releases live-sync entries atomically (synchronous Redis)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._unqueued = client.register_script(_UNQUEUED)
        self._mark = client.register_script(_MARK)

    def claim(self, now: float, lease_s: float, limit: int, lift: Lift | None = None) -> Claim:
        """Move up to ``limit`` members due by ``now`` to in-flight for ``lease_s`` seconds;
        none while a receiver holds the flusher (a storm), unless ``lift`` lifts the hold: then
        no more, over every claim under the lift of its window, than its budget."""
        lease_until = now + lease_s
        token = secrets.token_hex(8)
        record = f"{constants.LIVE_INFLIGHT}:claim:{token}"
        keys = [
            constants.LIVE_PENDING,
            constants.LIVE_INFLIGHT,
            record,
            constants.LIVE_HOLD,
            constants.LIVE_HOLD_LIFT,
        ]
        args: list[str | int] = [repr(now), repr(lease_until), limit, max(1, math.ceil(lease_s))]
        if lift is None:
            args += ["", 0, 1]
        else:  # the count outlives its window a little (the window's end names it)
            ttl = math.ceil(max(0.0, lift.seconds_left)) + 1
            args += [repr(lift.window_end), lift.budget, ttl]
        raw = self._claim(keys=keys, args=args)
        members = [_text(member) for member in raw]
        return Claim(members=members, lease_until=lease_until, token=token)

    def storm_state(self) -> tuple[float | None, list[BucketWindow]]:
        """The storm's hold (None: none) and the rate limiter's windows of the buckets a live
        sync spends (producers.live.hold), in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        pipe.get(constants.LIVE_HOLD)
        for bucket in SYNC_BUCKETS:
            pipe.hmget(constants.ratelimit_key(bucket), *BucketWindow.FIELDS)
        hold, *windows = pipe.execute()
        until = None if hold is None else float(_text(hold))
        return until, [BucketWindow.parse(fields) for fields in windows]

    def release(self, claim: Claim, members: Sequence[str]) -> int:
        """Remove handled members of a claim from in-flight; returns how many were removed."""
        if not members:
            return 0
        args = [repr(claim.lease_until), *members]
        return int(self._release(keys=[constants.LIVE_INFLIGHT], args=args))

    def unqueued(self, people: Sequence[str]) -> list[str]:
        """The people without a live sync message that is queued and not yet started."""
        if not people:
            return []
        keys = [constants.live_queued_key(person) for person in people]
        return [_text(person) for person in self._unqueued(keys=keys, args=list(people))]

    def mark_queued(self, items: dict[str, str], ttl_s: int = QUEUED_TTL_S) -> int:
        """Mark people (person id -> item key of their message just enqueued) as queued.

        A message that already started is left unmarked; returns how many people were marked.
        """
        if not items:
            return 0
        keys: list[str] = []
        for person, key in items.items():
            keys += [constants.live_queued_key(person), constants.live_started_key(key)]
        args: list[str | int] = [*items.values(), ttl_s]
        return int(self._mark(keys=keys, args=args))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
