"""Run summaries and configurations for the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from config import HopsyncConfig, parse_config
from shared.core.models import FieldChange, OutcomeStatus, PersonOutcome, RunSummary
from tests.shared.factories import BASE_CONFIG

START = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
RECIPIENTS = ["it@acme.example", "hr@acme.example"]


def outcome(index: int, status: OutcomeStatus = "updated", **fields: Any) -> PersonOutcome:
    """One person whose title changed."""
    values: dict[str, Any] = {
        "key": f"p{index}",
        "status": status,
        "name": f"Person {index}",
        "match_value": f"person{index}@acme.example",
        "changes": [FieldChange(attribute="title", old="Engineer", new=f"Lead {index}")],
    }
    return PersonOutcome(**{**values, **fields})


def run_summary(
    changes: list[PersonOutcome],
    *,
    dry_run: bool = False,
    unchanged: int = 0,
    **fields: Any,
) -> RunSummary:
    """A completed resync "resync-1" with these changes, counted by status."""
    counts = dict.fromkeys(("created", "updated", "unchanged", "failed"), 0)
    for change in changes:
        counts[change.status] = counts.get(change.status, 0) + 1
    counts["unchanged"] = unchanged
    values: dict[str, Any] = {
        "run_id": "resync-1",
        "kind": "resync",
        "dry_run": dry_run,
        "status": "completed",
        "created_at": START,
        "finished_at": START,
        "duration_s": 12.5,
        "counts": counts,
        "okta_writes": sum(change.okta_writes for change in changes),
        "changes": changes,
    }
    return RunSummary(**{**values, **fields})


def hopsync_config(
    smtp_port: int | None = None,
    chat_url: str | None = None,
    smtp: dict[str, Any] | None = None,
    **settings: Any,
) -> HopsyncConfig:
    """The base test configuration with email to RECIPIENTS through 127.0.0.1 and/or a chat URL."""
    raw: dict[str, Any] = {**BASE_CONFIG, "settings": {**BASE_CONFIG["settings"], **settings}}
    if smtp_port is not None:
        raw["smtp"] = {
            "host": "127.0.0.1",
            "port": smtp_port,
            "starttls": False,
            "from_address": "hopsync@acme.example",
            "timeout_s": 5,
            **(smtp or {}),
        }
        raw["settings"]["notify_emails"] = RECIPIENTS
    if chat_url is not None:
        raw["settings"]["chat_webhook_url"] = chat_url
    return parse_config(raw)
