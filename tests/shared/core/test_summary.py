"""The summary: counts by status, every change listed, dry runs labelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.core.models import FieldChange, PersonOutcome, RunMeta
from shared.core.summary import build_summary, headline, render_text

START = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def meta(dry_run: bool = False) -> RunMeta:
    return RunMeta(run_id="resync-1", kind="resync", dry_run=dry_run, created_at=START)


OUTCOMES = [
    PersonOutcome(key="a", status="unchanged"),
    PersonOutcome(
        key="b",
        status="updated",
        name="Ada Lovelace",
        changes=[FieldChange(attribute="title", old="Engineer", new="CTO")],
        groups_added=["Managers"],
    ),
    PersonOutcome(key="c", status="created", name="Alan Turing", groups_added=["Engineering"]),
    PersonOutcome(key="d", status="failed", name="Grace Hopper", reason="OktaServerError: 500"),
]


def test_counts_cover_every_status_and_writes_are_added_up() -> None:
    summary = build_summary(meta(), OUTCOMES, START + timedelta(seconds=12))
    assert summary.counts["unchanged"] == 1
    assert summary.counts["updated"] == 1 and summary.counts["created"] == 1
    assert summary.counts["failed"] == 1 and summary.counts["conflict"] == 0
    assert summary.okta_writes == 3  # one update, one membership add, one create
    assert summary.duration_s == 12


def test_every_change_is_listed_and_unchanged_people_are_not() -> None:
    summary = build_summary(meta(), OUTCOMES, START)
    assert [o.key for o in summary.changes] == ["d", "b", "c"]  # failures first
    text = render_text(summary)
    assert "title: 'Engineer' -> 'CTO'" in text
    assert "+group Managers" in text
    assert "OktaServerError: 500" in text


def test_a_dry_run_is_labelled_as_such() -> None:
    text = render_text(build_summary(meta(dry_run=True), OUTCOMES, START))
    assert text.startswith("COMPLETED with 1 failed: DRY RUN")
    assert "would make 3 Okta write(s)" in text


def test_a_long_list_says_how_to_see_the_rest() -> None:
    text = render_text(build_summary(meta(), OUTCOMES, START), limit=1)
    assert "and 2 more people with changes: hopsync runs show resync-1 --all" in text


def test_a_completed_run_says_how_many_people_failed_first() -> None:
    text = render_text(build_summary(meta(), OUTCOMES, START))
    assert text.startswith("COMPLETED with 1 failed: resync resync-1: 1 failed, 1 updated")


def test_a_held_run_is_never_told_as_applied() -> None:
    built = build_summary(meta(), OUTCOMES, START)
    held = built.model_copy(update={"status": "held", "reason": "3 updates planned, limit 1"})
    line = headline(held)
    assert line.startswith("HELD by safety limits: resync resync-1:")
    assert "(would make 3 Okta write(s); nothing was written)" in line
    assert " made " not in line
    assert line.endswith("; 3 updates planned, limit 1")


def test_a_failed_run_says_so_and_why() -> None:
    built = build_summary(meta(), [], START)
    failed = built.model_copy(update={"status": "failed", "reason": "Okta answered 401"})
    assert headline(failed).startswith("FAILED: resync resync-1: nobody")
    assert headline(failed).endswith("; Okta answered 401")


def test_suspended_deactivated_and_reactivated_people_are_outcomes_of_their_own() -> None:
    leavers = [
        PersonOutcome(key="e", status="deactivated", name="Bob Smith", groups_removed=["Sales"],
                      reason="end date 2026-11-27 has passed"),
        PersonOutcome(key="f", status="suspended", name="Eve Adams",
                      reason="no longer among ChartHop's active people (end date 2026-11-20)"),
        PersonOutcome(key="g", status="reactivated", name="Tim Berners",
                      changes=[FieldChange(attribute="title", old="CTO", new="CEO")]),
    ]  # fmt: skip
    summary = build_summary(meta(), [*OUTCOMES, *leavers], START)
    assert (summary.counts["deactivated"], summary.counts["suspended"]) == (1, 1)
    assert summary.counts["reactivated"] == 1 and summary.counts["updated"] == 1
    assert summary.okta_writes == 3 + 2 + 1 + 2
    text = render_text(summary)
    assert (
        "[deactivated] Bob Smith: -group Sales; deactivated in Okta; end date 2026-11-27 has passed"
        in text
    )
    assert "[suspended] Eve Adams: suspended in Okta; no longer among ChartHop's active" in text
    assert "[reactivated] Tim Berners: title: 'CTO' -> 'CEO'; reactivated in Okta" in text
    assert "1 deactivated, 1 suspended, 1 reactivated" in headline(summary)
