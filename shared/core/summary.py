"""Build a run's change summary from its outcomes, and render it as plain text.

Pure: the aggregator actor loads the outcomes, calls build_summary, and stores the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from shared.core.models import (
    LIFECYCLE_STATUSES,
    OUTCOME_STATUSES,
    PersonOutcome,
    RunMeta,
    RunSummary,
)

_KEPT = ("held", "failed", "discarded")  # statuses a summary keeps from its run
_ORDER = {status: index for index, status in enumerate(OUTCOME_STATUSES)}
# Outcomes whose reason is said: why nothing could be done, or the rule that selected a leaver.
_WITH_REASON = frozenset(
    {"unmatched", "conflict", "deferred", "failed", "suspended", "deactivated", "reactivated"}
)


def build_summary(
    meta: RunMeta, outcomes: Iterable[PersonOutcome], finished_at: datetime
) -> RunSummary:
    """Count the outcomes by status and keep every one that is not "unchanged".

    A held or failed run keeps its status, and its note as the reason; any other is completed.
    """
    listed = list(outcomes)
    counts = Counter(outcome.status for outcome in listed)
    changes = sorted(
        (outcome for outcome in listed if outcome.status != "unchanged"),
        key=lambda outcome: (_ORDER[outcome.status], outcome.name or "", outcome.key),
    )
    return RunSummary(
        run_id=meta.run_id,
        kind=meta.kind,
        dry_run=meta.dry_run,
        status=meta.status if meta.status in _KEPT else "completed",
        reason=meta.note if meta.status in _KEPT else "",
        created_at=meta.created_at,
        finished_at=finished_at,
        duration_s=round((finished_at - meta.created_at).total_seconds(), 3),
        counts={status: counts.get(status, 0) for status in OUTCOME_STATUSES},
        okta_writes=sum(outcome.okta_writes for outcome in listed) + len(meta.groups_created),
        groups_created=meta.groups_created,
        changes=changes,
        config_version=meta.config_version,
        config_draft=meta.config_draft,
        held_by=meta.held_by,
        warnings=meta.warnings,
        started_by=meta.started_by,
    )


def status_words(summary: RunSummary) -> str:
    """The run's status as the first words of its summary: ``COMPLETED with 3 failed``, ``HELD``."""
    if summary.status == "completed":
        failed = summary.failed_people
        return f"COMPLETED with {failed} failed" if failed else "COMPLETED"
    if summary.status == "held":
        return "HELD by safety limits"
    return summary.status.upper()


def headline(summary: RunSummary) -> str:
    """One line: the status in words, the run, whether it was dry, its counts and its writes.

    A held or discarded run wrote nothing: its counts are what it would do, said as such.
    """
    counts = ", ".join(f"{count} {status}" for status, count in summary.counts.items() if count)
    dry = "DRY RUN " if summary.dry_run else ""
    unapplied = summary.dry_run or summary.status in ("held", "discarded", "failed")
    if summary.status in ("held", "discarded"):
        writes = f"would make {summary.okta_writes} Okta write(s); nothing was written"
    else:
        writes = f"{'would make' if unapplied else 'made'} {summary.okta_writes} Okta write(s)"
    line = f"{status_words(summary)}: {dry}{summary.kind} {summary.run_id}: {counts or 'nobody'}"
    line += f" ({writes})"
    return f"{line}; {summary.reason}" if summary.reason else line


def describe(outcome: PersonOutcome, *, compact: bool = False) -> str:
    """One line per person: who, and what changed (or why nothing could).

    Compact leaves out the attributes a new user is created with.
    """
    who = outcome.name or outcome.match_value or outcome.who
    if outcome.match_value and outcome.name:
        who = f"{outcome.name} <{outcome.match_value}>"
    if outcome.status == "created":
        parts = ["new Okta user"] if compact else []
        parts += [] if compact else [f"{c.attribute}={c.new!r}" for c in outcome.changes]
    else:
        parts = [
            f"{change.attribute}: {change.old!r} -> {change.new!r}" for change in outcome.changes
        ]
    parts += [f"+group {name}" for name in outcome.groups_added]
    parts += [f"-group {name}" for name in outcome.groups_removed]
    if outcome.activated:
        parts.append("activated")
    if outcome.status in LIFECYCLE_STATUSES:
        parts.append(f"{outcome.status} in Okta")
    if outcome.staged:
        parts.append("created STAGED")
    if outcome.reason and outcome.status in _WITH_REASON:
        parts.append(outcome.reason)
    return f"[{outcome.status}] {who}: {'; '.join(parts) or 'no change'}"


def render_text(summary: RunSummary, limit: int | None = None) -> str:
    """The summary as plain text: the headline, created groups, then one line per change."""
    lines = [headline(summary)]
    if summary.groups_created:
        verb = "would create" if summary.dry_run else "created"
        lines.append(f"groups {verb}: {', '.join(summary.groups_created)}")
    shown = summary.changes if limit is None else summary.changes[:limit]
    lines += [f"  {describe(outcome)}" for outcome in shown]
    hidden = len(summary.changes) - len(shown)
    if hidden > 0:
        lines.append(f"  {rest_pointer(summary.run_id, hidden)}")
    return "\n".join(lines)


def rest_pointer(run_id: str, hidden: int) -> str:
    """What a list of changes left out, and the command that lists it."""
    people = "person" if hidden == 1 else "people"
    return f"... and {hidden} more {people} with changes: hopsync runs show {run_id} --all"
