"""`hopsync dlq`: list, show, replay and purge against a real Redis (no workers needed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
import redis

from harness.world import Simulation
from shared import constants
from shared.core.messages import aggregate_message, sync_message
from shared.core.models import SyncItem, SyncMessage
from shared.infra.deadletters import DeadLetter, DeadLetterStore
from shared.infra.runs import RunStore
from tests.producers.ops.support import invoke, ok

NOW = datetime.now(UTC)
LONG_ERROR = "OktaServerError: Okta POST /api/v1/users answered 500 E0000009: " + "x" * 300


@pytest.fixture
def store(sim: Simulation) -> DeadLetterStore:
    """Three letters: a live sync 9 days old, a resync sync 2 days old, an aggregator 1 hour old."""
    letters = DeadLetterStore(redis.Redis.from_url(sim.redis_url))
    live = sync_message("live-1", False, SyncItem(key="p1@17.aa", person_id="p1", snapshot=False))
    snapshot = SyncItem(key="p2", person_id="p2", person={"id": "p2"})
    resync = sync_message("resync-1", False, snapshot)
    for message, age, run_id in (
        (live, timedelta(days=9), "live-1"),
        (resync, timedelta(days=2), "resync-1"),
        (aggregate_message("resync-1"), timedelta(hours=1), "resync-1"),
    ):
        body = message.args[0]
        item = SyncMessage.model_validate(body).item if isinstance(body, dict) else None
        letters.add(
            DeadLetter(
                id=message.message_id,
                actor=message.actor_name,
                queue=message.queue_name,
                run_id=run_id,
                item_key=item.key if item else None,
                person_id=item.person_id if item else None,
                error=LONG_ERROR,
                failed_at=NOW - age,
                retries=4,
                message=json.loads(json.dumps(message.asdict())),
            )
        )
    return letters


def queued(sim: Simulation, queue: str) -> list[dramatiq.Message[object]]:
    """The messages waiting on one of hopsync's Dramatiq queues."""
    client = redis.Redis.from_url(sim.redis_url)
    raw = client.hvals(f"{constants.DRAMATIQ_NAMESPACE}:{queue}.msgs")
    return [
        dramatiq.Message.decode(value if isinstance(value, bytes) else value.encode())
        for value in raw
    ]


def test_list_gives_every_letter_oldest_first(sim: Simulation, store: DeadLetterStore) -> None:
    rows = json.loads(ok(sim.env, "dlq", "list", "--json"))
    assert [row["id"] for row in rows] == [letter.id for letter in store.entries()]
    assert [row["person_id"] for row in rows] == ["p1", "p2", None]
    assert [row["actor"] for row in rows] == [constants.SYNC_ACTOR] * 2 + ["aggregate_run"]
    assert "message" not in rows[0] and rows[0]["error"] == LONG_ERROR


def test_the_table_cuts_the_error_to_one_short_line(
    sim: Simulation, store: DeadLetterStore
) -> None:
    out = ok(sim.env, "dlq", "list")
    assert "3 dead letter(s), oldest first" in out
    assert "x" * 100 not in out.replace("\n", "").replace("│", "").replace(" ", "")


def test_an_empty_queue_says_so(sim: Simulation) -> None:
    assert ok(sim.env, "dlq", "list").strip() == "the dead-letter queue is empty"
    assert json.loads(ok(sim.env, "dlq", "list", "--json")) == []


def test_show_prints_the_whole_error_and_the_message_body(
    sim: Simulation, store: DeadLetterStore
) -> None:
    letter = store.entries()[1]
    out = ok(sim.env, "dlq", "show", letter.id)
    assert f"message id: {letter.id}" in out
    assert "person: p2" in out and "tries: 4" in out
    assert LONG_ERROR in out
    body = json.loads(out.split("message:\n", 1)[1])
    assert body["args"][0]["item"]["person_id"] == "p2"
    assert json.loads(ok(sim.env, "dlq", "show", letter.id, "--json")) == letter.model_dump(
        mode="json"
    )


def test_show_of_an_unknown_id_exits_1_naming_it(sim: Simulation) -> None:
    result = invoke(sim.env, "dlq", "show", "no-such-id")
    assert result.exit_code == 1
    assert "no dead letter 'no-such-id'" in result.stderr


def test_replay_all_starts_one_fresh_read_replay_run_and_empties_the_queue(
    sim: Simulation, store: DeadLetterStore
) -> None:
    letters = store.entries()
    report = json.loads(ok(sim.env, "dlq", "replay", "--all", "--json"))
    assert report["replayed"] == [letters[0].id, letters[1].id, letters[2].id]
    assert report["requeued"] == [letters[2].id] and report["people"] == 2
    runs = RunStore(redis.Redis.from_url(sim.redis_url))
    run = runs.meta(report["run_id"])
    assert (run.kind, run.dry_run, run.expected) == ("replay", False, 2)
    bodies = [SyncMessage.model_validate(m.args[0]) for m in queued(sim, constants.SYNC_QUEUE)]
    assert {body.run_id for body in bodies} == {run.run_id}
    assert sorted(body.item.key for body in bodies) == ["p1", "p2"]
    assert all(body.kind == "replay" and not body.item.snapshot for body in bodies)
    [aggregate] = queued(sim, constants.RUNS_QUEUE)
    assert aggregate.args == ("resync-1",) and aggregate.message_id != letters[2].id
    assert store.count() == 0


def test_replaying_the_same_ids_again_is_harmless(sim: Simulation, store: DeadLetterStore) -> None:
    first = store.entries()[0].id
    ok(sim.env, "dlq", "replay", first)
    again = ok(sim.env, "dlq", "replay", first)
    assert f"{first}: not in the dead-letter queue" in again
    assert "nothing to replay" in again
    assert len(queued(sim, constants.SYNC_QUEUE)) == 1
    assert store.count() == 2


def test_a_dry_run_lists_the_letters_and_enqueues_nothing(
    sim: Simulation, store: DeadLetterStore
) -> None:
    out = ok(sim.env, "dlq", "replay", "--all", "--dry-run")
    assert out.count("would replay ") == 3
    assert "would enqueue 2 people in one replay run" in out
    assert queued(sim, constants.SYNC_QUEUE) == [] and store.count() == 3
    assert RunStore(redis.Redis.from_url(sim.redis_url)).recent() == []


def test_letters_of_a_dry_run_are_left_in_the_queue(sim: Simulation) -> None:
    message = sync_message("resync-dry", True, SyncItem(key="p9", person_id="p9"))
    letters = DeadLetterStore(redis.Redis.from_url(sim.redis_url))
    letters.add(
        DeadLetter(
            id=message.message_id,
            actor=message.actor_name,
            queue=message.queue_name,
            error="boom",
            failed_at=NOW,
            message=json.loads(json.dumps(message.asdict())),
        )
    )
    out = ok(sim.env, "dlq", "replay", "--all")
    assert f"{message.message_id}: skipped: it failed in dry run resync-dry" in out
    assert letters.count() == 1 and queued(sim, constants.SYNC_QUEUE) == []


@pytest.mark.parametrize("args", [[], ["some-id", "--all"]])
def test_replay_needs_either_ids_or_all(sim: Simulation, args: list[str]) -> None:
    result = invoke(sim.env, "dlq", "replay", *args)
    assert result.exit_code == 2
    assert "name the dead letters to replay, or pass --all" in result.stderr


def test_purge_by_age_drops_only_older_letters(sim: Simulation, store: DeadLetterStore) -> None:
    assert "purged 1 dead letter(s); 2 left" in ok(sim.env, "dlq", "purge", "--older-than", "7d")
    assert "purged 1 dead letter(s); 1 left" in ok(sim.env, "dlq", "purge", "--older-than", "1d")
    assert [letter.actor for letter in store.entries()] == ["aggregate_run"]


def test_purge_by_id_reports_ids_it_does_not_hold(sim: Simulation, store: DeadLetterStore) -> None:
    target = store.entries()[0].id
    out = ok(sim.env, "dlq", "purge", target, "gone")
    assert "gone: not in the dead-letter queue" in out and "purged 1 dead letter(s)" in out
    assert target not in [letter.id for letter in store.entries()]


def test_a_malformed_age_is_a_usage_error(sim: Simulation) -> None:
    result = invoke(sim.env, "dlq", "purge", "--older-than", "a week")
    assert result.exit_code == 2
    assert "like 7d, 12h, 30m" in result.stderr
