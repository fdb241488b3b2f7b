"""sync_item's live bookkeeping: the queued mark is spent before ChartHop is read, and the
managed groups are looked up once without blocking the event loop's threads."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, cast

import pytest
import redis

import workers.sync
from shared import constants
from shared.core.models import SyncItem, SyncMessage
from shared.core.rules import Rules
from shared.infra.runs import RunStore
from tests.shared.factories import rules
from workers.runtime import Runtime
from workers.sync import run_group_ids, sync_item

GROUPS = {"Engineering": "g1", "Managers": "g3"}  # the factory rules' managed groups


class RecordingChartHop:
    """Answers every person as gone, noting whether the person's queued mark was still set."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.mark_set_at_read: list[bool] = []

    async def get_person(self, person_id: str) -> dict[str, Any] | None:
        self.mark_set_at_read.append(bool(self.client.exists(constants.live_queued_key(person_id))))
        return None


class StubRuntime:
    """The parts of a worker's Runtime that sync_item and run_group_ids use."""

    def __init__(self, client: redis.Redis, charthop: RecordingChartHop | None = None) -> None:
        self.client = client
        self.rules: Rules = rules()
        self.runs = RunStore(client)
        self._charthop = charthop

    def rules_for(self, version: int | None, draft: bool = False) -> Rules:
        return self.rules

    async def clients_for(self, config: object) -> Any:
        return SimpleNamespace(okta=None, charthop=self._charthop)


def live_message(run_id: str, key: str = "p1@1.a1b2c3") -> SyncMessage:
    item = SyncItem(key=key, person_id="p1", snapshot=False)
    return SyncMessage(run_id=run_id, dry_run=False, kind="live", item=item)


def test_a_live_message_spends_its_queued_mark_before_it_reads_charthop(
    client: redis.Redis,
) -> None:
    run_id = f"live-{uuid.uuid4().hex}"
    RunStore(client).save_groups(run_id, GROUPS)
    message = live_message(run_id)
    client.set(constants.live_queued_key("p1"), message.item.key)
    charthop = RecordingChartHop(client)
    runtime = cast(Runtime, StubRuntime(client, charthop))
    outcome = asyncio.run(sync_item(runtime, message, retries=0))
    assert outcome.status == "unchanged"
    assert charthop.mark_set_at_read == [False]
    assert client.exists(constants.live_started_key(message.item.key))


def test_a_resync_message_leaves_the_live_marks_alone(client: redis.Redis) -> None:
    run_id = f"resync-{uuid.uuid4().hex}"
    RunStore(client).save_groups(run_id, GROUPS)
    message = live_message(run_id).model_copy(update={"kind": "resync"})
    client.set(constants.live_queued_key("p1"), message.item.key)
    runtime = cast(Runtime, StubRuntime(client, RecordingChartHop(client)))
    asyncio.run(sync_item(runtime, message, retries=0))
    assert client.get(constants.live_queued_key("p1")) == message.item.key.encode()
    assert not client.exists(constants.live_started_key(message.item.key))


def fake_lookup(calls: list[str], delay_s: float = 0.2) -> Any:
    async def lookup(
        okta: Any, names: Iterable[str], *, create: bool
    ) -> tuple[dict[str, str], list[str]]:
        calls.append("lookup")
        await asyncio.sleep(delay_s)
        return {name: GROUPS[name] for name in names}, []

    return lookup


def test_many_messages_waiting_for_the_groups_lookup_do_not_exhaust_the_loops_threads(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(workers.sync, "managed_groups", fake_lookup(calls))
    runtime = cast(Runtime, StubRuntime(client))
    run_id = f"live-{uuid.uuid4().hex}"

    async def main() -> list[dict[str, str]]:
        # A small executor, as on a 2-core machine under load: blocking waits would fill it.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=2))
        waits = (
            run_group_ids(runtime, run_id, create=True, rules=rules(), okta=cast(Any, None))
            for _ in range(12)
        )
        return await asyncio.wait_for(asyncio.gather(*waits), timeout=10)

    found = asyncio.run(main())
    assert found == [GROUPS] * 12
    assert calls == ["lookup"]
    assert RunStore(client).groups(run_id) == GROUPS


def test_a_message_waiting_for_another_process_uses_the_groups_it_saved(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(workers.sync, "managed_groups", fake_lookup(calls))
    run_id = f"live-{uuid.uuid4().hex}"
    other = client.lock(constants.groups_lock_key(), timeout=30, thread_local=False)
    assert other.acquire(blocking=False)

    def other_process_finishes() -> None:
        RunStore(client).save_groups(run_id, GROUPS)
        other.release()

    timer = threading.Timer(0.3, other_process_finishes)
    timer.start()
    try:
        runtime = cast(Runtime, StubRuntime(client))
        found = asyncio.run(
            run_group_ids(runtime, run_id, create=True, rules=rules(), okta=cast(Any, None))
        )
    finally:
        timer.join()
    assert found == GROUPS and calls == []
