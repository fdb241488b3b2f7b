"""What `runs`, `runs show`, `dlq list` and `query` print at 80 columns, as snapshots.

A change to these layouts must be made here too, on purpose: the snapshots are what a user reads.
Every line fits in 80 columns; ids and emails are never cut (they are copied from here).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console, RenderableType

from producers.ops.dlq import letters_view
from producers.ops.query import Selection, selection_view
from producers.ops.runs import RunRow, history_table
from producers.ops.terminal import SummaryView, summary_view
from shared.core.models import FieldChange, PersonOutcome, RunSummary
from shared.infra.deadletters import DeadLetter

STARTED = datetime(2026, 12, 2, 10, 28, 35, tzinfo=UTC)


def at_80(renderable: RenderableType) -> str:
    console = Console(width=80, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    text = console.export_text()
    lines = [line.rstrip() for line in text.splitlines()]
    assert all(len(line) <= 80 for line in lines), text
    return "\n".join(lines) + "\n"


def row(run_id: str, **fields: object) -> RunRow:
    base: dict[str, object] = {
        "run_id": run_id,
        "kind": "resync",
        "dry_run": False,
        "status": "completed",
        "created_at": STARTED,
        "done": 500,
        "expected": 500,
        "counts": {},
    }
    return RunRow.model_validate({**base, **fields})


def test_runs_at_80_columns_keeps_run_ids_whole_and_wraps_the_counts() -> None:
    everyone = {"unchanged": 500}
    rows = [
        row("live-20261202T103000-9a1b2c", kind="live", status="running", done=3, expected=None),
        row(
            "resync-20261202T102835-6a8978",
            duration_s=754.2,
            counts={"failed": 2, "updated": 56, "created": 106, "deferred": 6, "unchanged": 330},
        ),
        row("resync-20261202T101500-aa00ff", dry_run=True, duration_s=8.4, counts=everyone),
    ]
    assert at_80(history_table(rows)) == (
        "run                            status       took  result\n"
        "live-20261202T103000-9a1b2c    running            3/? done\n"
        "resync-20261202T102835-6a8978  completed  12m34s  2 failed, 56 updated, 106\n"
        "                                                  created, 6 deferred, 330\n"
        "                                                  unchanged\n"
        "resync-20261202T101500-aa00ff  completed    8.4s  500 unchanged\n"
        "                               dry run\n"
    )


def outcome(name: str, email: str, status: str, **fields: object) -> PersonOutcome:
    return PersonOutcome.model_validate(
        {"key": email, "status": status, "name": name, "match_value": email, **fields}
    )


def big_summary() -> RunSummary:
    changes = [
        outcome(
            "Ada Ivanova",
            "ada.ivanova@acme.example",
            "failed",
            reason="Okta answered 400 E0000001: login: An object with this field already exists",
        ),
        outcome(
            "Anjali Gonzalez",
            "anjali.gonzalez@acme.example",
            "updated",
            changes=[
                FieldChange(attribute="title", old="Out Of Date Title", new="Director of Eng"),
                FieldChange(attribute="city", old="Atlantis", new="San Francisco"),
            ],
            groups_added=["Managers"],
        ),
        outcome(
            "Bob Yamamoto",
            "robert.yamamoto@acme.example",
            "created",
            changes=[FieldChange(attribute="login", new="robert.yamamoto@acme.example")],
            groups_added=["Remote"],
        ),
        outcome(
            "Chloe Wilson",
            "chloe.wilson@acme.example",
            "deferred",
            reason="starts on 2026-12-14; synced from that day",
        ),
        outcome(
            "Dan Ode",
            "dan.ode@acme.example",
            "deferred",
            reason="starts on 2026-12-21; synced from that day",
        ),
    ]
    return RunSummary(
        run_id="resync-20261202T102835-6a8978",
        kind="resync",
        dry_run=False,
        status="completed",
        created_at=STARTED,
        finished_at=STARTED,
        duration_s=754.2,
        counts={"failed": 1, "updated": 1, "created": 1, "deferred": 2, "unchanged": 495},
        okta_writes=5,
        groups_created=["Remote"],
        changes=changes,
    )


def letter(number: int, **fields: object) -> DeadLetter:
    base: dict[str, object] = {
        "id": f"0b8f5f2e-6f0c-4f1e-9d7a-00000000000{number}",
        "actor": "sync_person",
        "queue": "sync",
        "run_id": "resync-20261202T102835-6a8978",
        "item_key": "ada.ivanova@acme.example",
        "person_id": "dd84f39e71545a137a1d5006",
        "error": "OktaServerError: Okta POST /api/v1/users answered 500 E0000009: "
        "Internal Server Error; the request was retried 5 times over 31 s and failed "
        "every time\nTraceback (most recent call last): ...",
        "failed_at": STARTED,
        "retries": 5,
        "message": {},
    }
    return DeadLetter.model_validate({**base, **fields})


def selection() -> Selection:
    columns = ["id", "name", "contact.workEmail", "department.name", "title"]
    rows: list[dict[str, str | None]] = [
        {
            "id": "dd84f39e71545a137a1d5006",
            "name": "Leila Robinson",
            "contact.workEmail": "leila.robinson@acme.example",
            "department.name": "Engineering",
            "title": "Director of Platform Engineering and Developer Experience",
        },
        {
            "id": "a0116be5ab0c1681c8f8e3d0",
            "name": "Alexander Okafor-Williamson",
            "contact.workEmail": "alexander.okafor-williamson@acme.example",
            "department.name": "Engineering",
            "title": None,
        },
    ]
    return Selection(columns=columns, rows=rows, matched=15, scanned=500)


def test_runs_show_at_80_columns_lists_who_then_what_with_a_limit_and_the_words_explained() -> None:
    assert at_80(summary_view(big_summary(), SummaryView(limit=4))) == (
        "COMPLETED with 1 failed: resync resync-20261202T102835-6a8978: 1 failed, 1\n"
        "updated, 1 created, 2 deferred, 495 unchanged (made 5 Okta write(s))\n"
        "groups created: Remote\n"
        "failed    Ada Ivanova <ada.ivanova@acme.example>\n"
        "          Okta answered 400 E0000001: login: An object with this field already\n"
        "          exists\n"
        "updated   Anjali Gonzalez <anjali.gonzalez@acme.example>\n"
        "          title: 'Out Of Date Title' -> 'Director of Eng'; city: 'Atlantis' ->\n"
        "          'San Francisco'; +group Managers\n"
        "created   Bob Yamamoto <robert.yamamoto@acme.example>\n"
        "          new Okta user; +group Remote\n"
        "deferred  Chloe Wilson <chloe.wilson@acme.example>\n"
        "          starts on 2026-12-14; synced from that day\n"
        "+1 more person with changes; to list all:\n"
        "  hopsync runs show resync-20261202T102835-6a8978 --all\n"
        "failed     not written; its message is in the dead-letter queue (hopsync dlq\n"
        "           list)\n"
        "updated    profile fields or group memberships changed in Okta\n"
        "created    a new Okta user\n"
        "deferred   starts on a later date (in the row); synced from that day\n"
        "unchanged  already in step; nothing written\n"
    )


def test_runs_show_of_one_outcome_says_what_the_rest_are_and_how_to_list_them() -> None:
    view = SummaryView(outcomes=frozenset({"deferred"}), limit=1, legend=False)
    assert at_80(summary_view(big_summary(), view)) == (
        "COMPLETED with 1 failed: resync resync-20261202T102835-6a8978: 1 failed, 1\n"
        "updated, 1 created, 2 deferred, 495 unchanged (made 5 Okta write(s))\n"
        "groups created: Remote\n"
        "deferred  Chloe Wilson <chloe.wilson@acme.example>\n"
        "          starts on 2026-12-14; synced from that day\n"
        "+1 more deferred person; to list all:\n"
        "  hopsync runs show resync-20261202T102835-6a8978 --all --outcome deferred\n"
    )


def test_without_a_command_that_works_the_rest_is_only_counted() -> None:
    view = SummaryView(limit=1, legend=False, rest=None)
    assert at_80(summary_view(big_summary(), view)).endswith("+4 more people with changes\n")


def test_dlq_list_at_80_columns_keeps_ids_whole_and_the_error_to_two_lines() -> None:
    short = letter(2, person_id=None, item_key=None, actor="aggregate_run", error="RedisError: x")
    assert at_80(letters_view([letter(1), short])) == (
        "2 dead letter(s), oldest first; `hopsync dlq show ID` shows one whole\n"
        "0b8f5f2e-6f0c-4f1e-9d7a-000000000001  sync_person  2026-12-02 10:28 UTC\n"
        "  person dd84f39e71545a137a1d5006  run resync-20261202T102835-6a8978\n"
        "  OktaServerError: Okta POST /api/v1/users answered 500 E0000009: Internal\n"
        "  Server Error; the request was retried 5 times over 31 s and failed every time\n"
        "0b8f5f2e-6f0c-4f1e-9d7a-000000000002  aggregate_run  2026-12-02 10:28 UTC\n"
        "  run resync-20261202T102835-6a8978\n"
        "  RedisError: x\n"
    )


def test_query_at_80_columns_keeps_ids_and_emails_whole() -> None:
    text = "department:engineering && title:director"
    assert at_80(selection_view(text, selection())) == (
        "people matching department:engineering && title:director\n"
        "Leila Robinson <leila.robinson@acme.example>\n"
        "  id dd84f39e71545a137a1d5006; department.name: Engineering; title: Director of\n"
        "  Platform Engineering and Developer Experience\n"
        "Alexander Okafor-Williamson <alexander.okafor-williamson@acme.example>\n"
        "  id a0116be5ab0c1681c8f8e3d0; department.name: Engineering; title: -\n"
    )
