"""Safety limits: a run past a limit is held and writes nothing until approved or discarded."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from click.testing import CliRunner

from harness.world import Simulation
from producers.cli import main
from producers.ops.approval import approve, discard
from producers.ops.terminal import wait_for_summary
from shared.core.models import RunSummary
from shared.infra.runs import RunStore
from tests.e2e.conftest import World, okta_state

pytestmark = pytest.mark.slow
SAFETY = {
    "settings": {"safety": {"max_updates": "5%", "max_group_removals": "5%", "max_creates": "10"}}
}


def start_held(sim: Simulation) -> RunSummary:
    """`hopsync resync --json` of a run past a limit: exit 3 and the held summary at once."""
    result = CliRunner().invoke(main, ["resync", "--json"], env=sim.env, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    summary = RunSummary.model_validate(json.loads(result.stdout))
    assert summary.status == "held"
    assert summary == wait_for_summary(store(sim), summary.run_id, timeout_s=30)
    return summary


def test_a_held_run_waited_for_is_told_as_held_and_exits_3(world: World) -> None:
    sim = world(people=200, existing=1.0, drifted=0.4, missing_groups=0, config=SAFETY)
    result = CliRunner().invoke(main, ["resync", "--wait"], env=sim.env, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("HELD by safety limits: resync")
    assert "nothing was written" in result.stdout and " made " not in result.stdout
    assert "hopsync runs approve" in result.stdout
    assert sim.okta.counters().writes == 0


def store(sim: Simulation) -> RunStore:
    from redis import Redis

    return RunStore(Redis.from_url(sim.redis_url))


def test_a_run_past_a_limit_is_held_with_its_plan_and_writes_nothing(world: World) -> None:
    sim = world(people=200, existing=1.0, drifted=0.4, missing_groups=1, config=SAFETY)
    held = start_held(sim)
    updated = {o.key for o in held.changes if o.status == "updated"}
    assert set(sim.seed_report.drifted_keys) <= updated  # plus people joining the missing group
    assert sim.okta.counters().writes == 0  # not even the missing group
    meta = store(sim).meta(held.run_id)
    assert meta.status == "held"
    assert "settings.safety.max_updates allows 10 (5%)" in meta.note
    assert meta.held_by and all("settings.safety." in reason for reason in meta.held_by)


def test_an_approved_run_keeps_every_person_and_reads_only_what_its_writes_need(
    world: World,
) -> None:
    sim = world(
        people=300,
        existing=0.9,
        drifted=0.1,
        missing_groups=1,
        config=SAFETY,
        future_start_share=0.05,
        no_email_share=0.03,
    )
    held = start_held(sim)
    assert held.counts["conflict"] > 0 and held.counts["deferred"] > 0
    sim.okta.reset_counters()
    result = CliRunner().invoke(main, ["runs", "approve", held.run_id], env=sim.env)
    assert result.exit_code == 0, result.output
    done = wait_for_summary(store(sim), held.run_id, timeout_s=60)
    assert done.status == "completed"
    # Every person of the held run is in the approved one, decided the same way or applied.
    assert sum(done.counts.values()) == sum(held.counts.values())
    for status in ("conflict", "deferred", "unmatched", "updated", "created"):
        assert done.counts[status] == held.counts[status], status
    counters = sim.okta.counters()
    assert counters.writes == done.okta_writes == held.okta_writes > 0
    assert "Out Of Date Title" not in {p["title"] for p, _, _ in okta_state(sim).values()}
    # Reads: the managed groups once, then each written person's user and groups, no more.
    reads = sum(n for (_, method), n in counters.calls.items() if method == "GET")
    people_written = held.counts["updated"] + held.counts["created"]
    assert reads <= 2 * people_written + 5, (reads, people_written)
    print(f"\napproval: {reads} reads for {held.okta_writes} planned writes", end="")
    print(f" ({reads / held.okta_writes:.2f} per write), {people_written} people written")


def test_a_discarded_run_writes_nothing_and_cannot_be_approved_after(world: World) -> None:
    sim = world(people=200, existing=1.0, drifted=0.4, config=SAFETY)
    held = start_held(sim)
    assert CliRunner().invoke(discard, [held.run_id], env=sim.env).exit_code == 0
    assert store(sim).meta(held.run_id).status == "discarded"
    again = CliRunner().invoke(main, ["runs", "approve", held.run_id], env=sim.env)
    assert again.exit_code == 2
    assert "is discarded and holds nothing" in again.output
    assert sim.okta.counters().writes == 0


def test_live_sync_holds_people_past_the_hourly_limit_until_the_run_is_approved(
    world: World,
) -> None:
    import asyncio

    from redis import Redis

    from config.loader import load_config
    from producers.resync import Producer
    from shared.core.models import SyncItem
    from shared.infra.broker import build_broker
    from shared.infra.clients import open_clients

    sim = world(
        people=100,
        existing=1.0,
        drifted=0.3,
        missing_groups=0,
        config={
            "settings": {
                "safety": {
                    "max_updates": "3",
                    "max_creates": "3",
                    "max_group_removals": "100%",
                    "max_blanked": "100%",
                }
            }
        },
    )
    okta = okta_state(sim)

    def profile_drifted(key: str) -> bool:  # max_updates counts profile changes, not groups
        login = sim.charthop.people[key]["contact"]["workEmail"].casefold()
        profile = okta[login][0]
        return profile.get("title") == "Out Of Date Title" or profile.get("city") == "Atlantis"

    drifted = sorted(filter(profile_drifted, sim.seed_report.drifted_keys))[:6]
    assert len(drifted) == 6
    runs = store(sim)

    async def live(run_items: list[SyncItem]) -> str:
        from unittest import mock

        with mock.patch.dict("os.environ", sim.env):
            loaded = load_config(str(sim.config_path))
        client = Redis.from_url(sim.redis_url)
        clients = await open_clients(loaded)
        try:
            producer = Producer(
                sim.rules(),
                RunStore(client),
                build_broker(client=client),
                clients.okta,
                clients.charthop,
            )
            run = producer.runs.create("live")
            producer.enqueue(run, run_items)
            return run.run_id
        finally:
            await clients.close()

    items = [SyncItem(key=f"{key}@1", person_id=key, snapshot=False) for key in drifted]
    run_id = asyncio.run(live(items))
    summary = wait_for_summary(runs, run_id, timeout_s=60)
    assert summary.counts["updated"] == 3 and summary.counts["held"] == 3
    writes = sim.okta.counters().writes
    result = CliRunner().invoke(approve, [run_id], env=sim.env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    replay = runs.recent(1)[0]
    assert replay.kind == "replay"
    assert wait_for_summary(runs, replay.run_id, timeout_s=60).counts["updated"] == 3
    assert sim.okta.counters().writes > writes


def test_a_filter_that_would_empty_a_group_is_held_by_default_then_applied_when_approved(
    world: World,
) -> None:
    sim = world(people=150, existing=1.0, drifted=0.0, missing_groups=0)
    engineers = {
        login for login, (_, groups, _) in okta_state(sim).items() if "Engineering" in groups
    }
    assert len(engineers) > 20
    config = copy.deepcopy(sim.config)  # sim.config shares lists with DEFAULT_CONFIG
    config["groups"][0] = {"name": "Engineering", "query": "department:engineerng"}  # a typo
    sim.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    applied = CliRunner().invoke(main, ["config", "apply", str(sim.config_path)], env=sim.env)
    assert applied.exit_code == 0, applied.output  # the file alone cannot tell it empties a group
    result = CliRunner().invoke(main, ["resync"], env=sim.env, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    text = " ".join(result.output.split())  # lines wrap at the terminal's width
    assert "HELD by safety limits" in text
    assert (
        f"- it would remove {len(engineers)} of {len(engineers)} members from group "
        "'Engineering'; settings.safety.max_group_removals allows" in text
    )
    run_id = store(sim).recent(1)[0].run_id
    assert sim.okta.counters().writes == 0
    shown = CliRunner().invoke(main, ["runs", "show", run_id], env=sim.env)
    assert shown.exit_code == 3
    shown_text = " ".join(shown.output.split())
    assert "group 'Engineering'" in shown_text and "HELD" in shown_text
    approved = CliRunner().invoke(approve, [run_id], env=sim.env, catch_exceptions=False)
    assert approved.exit_code == 0, approved.output
    done = wait_for_summary(store(sim), run_id, timeout_s=60)
    assert done.status == "completed"
    assert sim.okta.counters().writes == len(engineers)
    assert not any("Engineering" in groups for _, groups, _ in okta_state(sim).values())


def test_a_dry_run_warns_of_a_filter_that_selects_nobody_and_of_the_hold_ahead(
    world: World,
) -> None:
    sim = world(people=150, existing=1.0, drifted=0.0, missing_groups=0)
    config = copy.deepcopy(sim.config)  # sim.config shares lists with DEFAULT_CONFIG
    config["groups"][0] = {"name": "Engineering", "query": "department:engineerng"}
    sim.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["resync", "--dry-run", "--wait"], env=sim.env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the table wraps at the terminal's width
    assert "warning: a real run would be held: it would remove" in text
    assert "members from group 'Engineering'" in text
    assert "warning: groups[0].query selects nobody of 150 people" in text
    assert sim.okta.counters().writes == 0
