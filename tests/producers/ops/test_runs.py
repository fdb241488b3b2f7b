"""`hopsync runs` and `hopsync runs show` on runs kept in a real Redis."""

from __future__ import annotations

import json
from datetime import timedelta

from rich.console import Console

from harness.world import Simulation
from producers.ops.runs import RunRow, history_table, wide_history_table
from shared.core.models import PersonOutcome, RunSummary
from shared.core.summary import build_summary
from shared.infra.runs import RunStore
from tests.producers.ops.support import expect, invoke, ok


def outcome(key: str, status: str) -> PersonOutcome:
    return PersonOutcome.model_validate(
        {"key": key, "status": status, "name": f"Person {key}", "reason": "n/a"}
    )


def finished_resync(store: RunStore) -> RunSummary:
    """A resync that created one person, failed one and left one unchanged, in 12.5 s."""
    meta = store.create("resync")
    outcomes = [outcome("p1", "created"), outcome("p2", "failed"), outcome("p3", "unchanged")]
    store.seal(meta.run_id, len(outcomes))
    store.record(meta.run_id, outcomes)
    summary = build_summary(meta, outcomes, meta.created_at + timedelta(seconds=12.5))
    store.save_summary(summary)
    store.save_meta(meta.model_copy(update={"status": "completed"}))
    return summary


def running_dry_run(store: RunStore) -> str:
    """A dry resync of 4 people with 2 outcomes so far."""
    meta = store.create("resync", dry_run=True)
    store.seal(meta.run_id, 4)
    store.record(meta.run_id, [outcome("p1", "updated"), outcome("p2", "unchanged")])
    return meta.run_id


def test_history_lists_the_newest_run_first_with_its_duration_and_counts(
    sim: Simulation, store: RunStore
) -> None:
    done = finished_resync(store)
    going = running_dry_run(store)
    rows = json.loads(ok(sim.env, "runs", "--json"))
    assert [row["run_id"] for row in rows] == [going, done.run_id]
    newest, oldest = rows
    assert (newest["status"], newest["dry_run"], newest["done"], newest["expected"]) == (
        "running",
        True,
        2,
        4,
    )
    assert oldest["status"] == "completed" and oldest["duration_s"] == 12.5
    assert oldest["counts"]["created"] == 1 and oldest["counts"]["failed"] == 1


def test_history_honours_the_limit(sim: Simulation, store: RunStore) -> None:
    for _ in range(3):
        finished_resync(store)
    assert len(json.loads(ok(sim.env, "runs", "--limit", "2", "--json"))) == 2


def test_the_history_table_shows_counts_for_finished_runs_and_progress_otherwise(
    sim: Simulation, store: RunStore
) -> None:
    finished_resync(store)
    running_dry_run(store)
    rows = [RunRow.model_validate(row) for row in json.loads(ok(sim.env, "runs", "--json"))]
    narrow = Console(width=80, record=True)
    narrow.print(history_table(rows))
    text = " ".join(narrow.export_text().split())  # the counts wrap at 80 columns
    assert "1 failed, 1 created, 1 unchanged" in text
    assert "2/4 done" in text and "12.5s" in text and "dry run" in text
    wide = Console(width=200, record=True)
    wide.print(wide_history_table(rows))
    text = wide.export_text()
    assert "1 failed, 1 created, 1 unchanged" in text and "resync" in text
    assert "2/4 done" in text and "12.5s" in text and "yes" in text


def test_wide_history_prints_every_column_unwrapped_even_at_80_columns(
    sim: Simulation, store: RunStore
) -> None:
    done = finished_resync(store)
    lines = ok({**sim.env, "COLUMNS": "80"}, "runs", "--wide").splitlines()
    [line] = [line for line in lines if line.startswith(done.run_id)]
    assert "resync" in line.split()[1:] and "1 failed, 1 created, 1 unchanged" in line
    assert len(line) > 80


def test_show_limits_filters_and_lists_all_on_request(sim: Simulation, store: RunStore) -> None:
    done = finished_resync(store)

    def show(*args: str) -> str:
        result = invoke(sim.env, "runs", "show", done.run_id, *args)
        assert result.exit_code == 1, result.output  # a person failed
        return result.stdout

    text = show("--limit", "1")
    assert "Person p2" in text and "Person p1" not in text  # failed people come first
    assert "+1 more person with changes; to list all:" in text
    assert f"hopsync runs show {done.run_id} --all" in text
    every = show("--limit", "1", "--all")
    assert "Person p1" in every and "Person p2" in every and "more" not in every
    created = show("--outcome", "created")
    assert "Person p1" in created and "Person p2" not in created
    both = show("--outcome", "created,failed")
    assert "Person p1" in both and "Person p2" in both


def test_show_of_an_unknown_outcome_is_a_usage_error_naming_the_choices(
    sim: Simulation, store: RunStore
) -> None:
    done = finished_resync(store)
    result = invoke(sim.env, "runs", "show", done.run_id, "--outcome", "unchanged")
    assert result.exit_code == 2
    assert "unchanged: not an outcome; choose from failed, held" in result.stderr


def test_an_empty_history_says_so(sim: Simulation) -> None:
    assert "no runs kept" in ok(sim.env, "runs")


def test_show_prints_a_finished_runs_whole_summary(sim: Simulation, store: RunStore) -> None:
    done = finished_resync(store)
    # One person failed: `runs show` exits 1, as the run's own command did.
    shown = RunSummary.model_validate_json(
        expect(sim.env, 1, "runs", "show", done.run_id, "--json")
    )
    assert shown == done
    table = expect(sim.env, 1, "runs", "show", done.run_id)
    assert table.startswith("COMPLETED with 1 failed")
    assert "Person p1" in table and "Person p2" in table


def test_show_of_a_run_still_going_gives_its_progress_and_counts_so_far(
    sim: Simulation, store: RunStore
) -> None:
    run_id = running_dry_run(store)
    report = json.loads(ok(sim.env, "runs", "show", run_id, "--json"))
    assert (report["status"], report["done"], report["expected"]) == ("running", 2, 4)
    assert report["counts"] == {"updated": 1, "unchanged": 1}
    text = ok(sim.env, "runs", "show", run_id)
    assert f"RUNNING: run {run_id} (resync (dry run)): 2/4 done" in text
    assert "so far: 1 updated, 1 unchanged" in text


def test_show_of_a_failed_run_still_going_says_why_it_failed(
    sim: Simulation, store: RunStore
) -> None:
    meta = store.create("live")
    why = "configuration version 2 reads unknown fields: groups[0].query: unknown field 'x'"
    store.save_meta(meta.model_copy(update={"status": "failed", "note": why}))
    store.record(meta.run_id, [outcome("p1@1", "failed")])
    text = " ".join(expect(sim.env, 1, "runs", "show", meta.run_id).split())
    assert f"FAILED: run {meta.run_id} (live): 1/? done" in text
    assert f"why: {why}" in text


def test_show_of_an_unknown_run_is_a_usage_error_naming_it(sim: Simulation) -> None:
    result = invoke(sim.env, "runs", "show", "resync-nope")
    assert result.exit_code == 2
    assert "no run 'resync-nope'" in result.stderr
