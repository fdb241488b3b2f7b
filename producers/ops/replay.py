"""Replaying dead letters: which messages the letters become (pure), then enqueueing them.

Sync letters become fresh-read items of one new run of kind "replay", one item per person however
many letters they left (a person who failed in three live runs is synced once, as they are now).
Other letters (the aggregator, notifications) are enqueued again as they were, under a new message
id, so that a quick second failure cannot collide with the letter being removed. A letter leaves
the queue only after its message is enqueued: a crash in between replays it twice, which is
harmless because every replayed sync reads the person and the Okta user fresh.

Letters left by a dry run are not replayed: a dry run writes nothing, so replaying one for real
would write what nobody approved. They stay in the queue, with a note saying how to drop them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from pydantic import ValidationError

from producers.resync import Producer
from shared import constants
from shared.core.models import RunMeta, SyncItem, SyncMessage
from shared.infra.deadletters import DeadLetter, DeadLetterStore


@dataclass(frozen=True)
class Skipped:
    """A letter a replay leaves in the queue, and why."""

    letter: DeadLetter
    reason: str


@dataclass
class ReplayPlan:
    """What replaying a set of letters enqueues."""

    items: list[SyncItem] = field(default_factory=list)
    covered: list[DeadLetter] = field(default_factory=list)
    originals: list[DeadLetter] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def replayed(self) -> list[DeadLetter]:
        """Every letter the plan enqueues again (and removes once enqueued)."""
        return [*self.covered, *self.originals]


def plan_replay(letters: Iterable[DeadLetter]) -> ReplayPlan:
    """Sort letters, oldest first, into fresh-read sync items, original messages and skips."""
    plan = ReplayPlan()
    by_person: dict[str, SyncItem] = {}
    for letter in letters:
        if letter.actor != constants.SYNC_ACTOR:
            plan.originals.append(letter)
            continue
        body = sync_body(letter)
        if body is None:
            plan.skipped.append(Skipped(letter, _UNREADABLE.format(id=letter.id)))
        elif body.dry_run:
            plan.skipped.append(Skipped(letter, _DRY.format(run=body.run_id, id=letter.id)))
        else:
            key = person_key(body.item.key)
            # The newest letter wins: its Okta snapshot is the one a vanished person is found by.
            by_person[key] = body.item.model_copy(update={"key": key})
            plan.covered.append(letter)
    plan.items = list(by_person.values())
    return plan


_UNREADABLE = (
    "its body is not a sync message this version reads; inspect it with `hopsync dlq show {id}`"
)
_DRY = (
    "it failed in dry run {run}, which writes nothing; run `hopsync resync --dry-run` again, "
    "and drop the letter with `hopsync dlq purge {id}`"
)


def sync_body(letter: DeadLetter) -> SyncMessage | None:
    """The sync message a letter carries, or None when it carries none this version reads."""
    args = letter.message.get("args")
    if not isinstance(args, list | tuple) or not args:
        return None
    try:
        return SyncMessage.model_validate(args[0])
    except ValidationError:
        return None


def person_key(key: str) -> str:
    """An item key without the per-message suffix live and new-hire runs give it (``id@...``)."""
    return key.split("@", 1)[0]


def original_message(letter: DeadLetter) -> dramatiq.Message[Any]:
    """A letter's message as it was first sent: same queue, actor and arguments, a new id."""
    args = letter.message.get("args") or []
    kwargs = letter.message.get("kwargs") or {}
    return dramatiq.Message(
        queue_name=letter.queue,
        actor_name=letter.actor,
        args=tuple(args),
        kwargs=dict(kwargs),
        options={},
    )


async def replay(plan: ReplayPlan, producer: Producer, letters: DeadLetterStore) -> RunMeta | None:
    """Enqueue a plan, removing each letter once its message is enqueued; returns the new run.

    The sync items go first: a configuration reading unknown fields refuses them (ConfigError)
    before anything at all is enqueued.
    """
    run = await producer.replay(plan.items) if plan.items else None
    for letter in plan.covered:
        letters.remove(letter.id)
    for letter in plan.originals:
        producer.broker.enqueue(original_message(letter))
        letters.remove(letter.id)
    return run
