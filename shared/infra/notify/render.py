"""Render a run's summary as an email (text and HTML) and as a Slack-compatible chat post.

Pure: no I/O. Dry runs and held runs are labelled in the subject, both bodies and the chat post.
People's names and values are data from ChartHop: escaped for HTML and for Slack's mrkdwn.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any, Final

from shared.core.models import PersonOutcome, RunSummary
from shared.core.summary import describe, headline, render_text
from shared.core.summary import rest_pointer as summary_rest_pointer

SLACK_MAX_BLOCKS: Final = 50
SLACK_TEXT_LIMIT: Final = 3000  # characters in one section's or context element's text
SLACK_HEADER_LIMIT: Final = 150
SLACK_MAX_FIELDS: Final = 10
_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


def label(summary: RunSummary) -> str:
    """ "HELD ", "FAILED ", "DRY RUN " or "" to put before a run's name."""
    if summary.status in ("held", "failed"):
        return f"{summary.status.upper()} "
    return "DRY RUN " if summary.dry_run else ""


def subject(summary: RunSummary) -> str:
    """The email subject: the label, the run, and its non-zero counts other than unchanged."""
    counts = ", ".join(
        f"{n} {status}" for status, n in summary.counts.items() if n and status != "unchanged"
    )
    return f"[hopsync] {label(summary)}{summary.kind} {summary.run_id}: {counts or 'no changes'}"


def notes(summary: RunSummary) -> list[str]:
    """Sentences a reader must see first: the run was dry, or it is held for approval."""
    found: list[str] = []
    if summary.dry_run:
        found.append("This was a dry run: nothing was written to Okta.")
    if summary.status == "held":
        found.append(
            "This run passed a safety limit and wrote nothing. Apply it with "
            f"`hopsync runs approve {summary.run_id}` or drop it with "
            f"`hopsync runs discard {summary.run_id}`."
        )
        found += [f"Held: it {reason}." for reason in summary.held_by]
    found += [f"Warning: {warning}." for warning in summary.warnings]
    if summary.status == "failed":
        found.append(f"This run failed: {summary.reason or 'see the logs'}.")
    return found


def rest_pointer(summary: RunSummary, shown: int) -> str | None:
    """How to see the changes past the first ``shown``, or None when all were shown."""
    hidden = len(summary.changes) - shown
    if hidden <= 0:
        return None
    return summary_rest_pointer(summary.run_id, hidden)


def _groups_line(summary: RunSummary) -> str:
    verb = "that would be created" if summary.dry_run else "created"
    return f"Groups {verb}: {', '.join(summary.groups_created)}"


def _title(summary: RunSummary) -> str:
    # headline() starts with the run's status in words and says DRY RUN.
    return headline(summary)


# --- email ---------------------------------------------------------------------------------


def email_message(
    summary: RunSummary, *, to: Sequence[str], sender: str, max_changes: int = 50
) -> EmailMessage:
    """The summary as an email: a text body and an HTML alternative, both with the counts."""
    message = EmailMessage()
    message["Subject"] = subject(summary)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content(_text_body(summary, max_changes))
    message.add_alternative(_html_body(summary, max_changes), subtype="html")
    return message


def _text_body(summary: RunSummary, max_changes: int) -> str:
    width = max(len(status) for status in summary.counts) if summary.counts else 0
    table = [f"  {status:<{width}}  {n:>6}" for status, n in summary.counts.items()]
    sections = [*notes(summary), "", render_text(summary, limit=max_changes), "", "Counts", *table]
    return "\n".join(sections).lstrip("\n") + "\n"


def _html_body(summary: RunSummary, max_changes: int) -> str:
    shown = summary.changes[:max_changes]
    pointer = rest_pointer(summary, len(shown))
    parts = [f"<h2>{html.escape(_title(summary))}</h2>"]
    parts += [f"<p><strong>{html.escape(note)}</strong></p>" for note in notes(summary)]
    if summary.groups_created:
        parts.append(f"<p>{html.escape(_groups_line(summary))}</p>")
    parts.append(_html_counts(summary))
    if shown:
        items = "".join(f"<li>{html.escape(describe(outcome))}</li>" for outcome in shown)
        parts.append(f"<ul>{items}</ul>")
    if pointer:
        parts.append(f"<p>{html.escape(pointer)}</p>")
    return f"<html><body>{''.join(parts)}</body></html>\n"


def _html_counts(summary: RunSummary) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(status)}</td><td>{n}</td></tr>"
        for status, n in summary.counts.items()
    )
    return f"<table><tr><th>status</th><th>people</th></tr>{rows}</table>"


# --- chat ----------------------------------------------------------------------------------


def chat_payload(summary: RunSummary, max_changes: int = 10) -> dict[str, Any]:
    """The summary as a Slack-compatible post: fallback text and at most 50 blocks."""
    listing, listed = _listing(summary.changes[:max_changes])
    pointer = rest_pointer(summary, listed)
    header = f"hopsync: {label(summary)}{summary.kind} {summary.run_id}"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(header, SLACK_HEADER_LIMIT)}]
    if summary.counts:  # Slack rejects a section with an empty fields list
        blocks.append({"type": "section", "fields": _count_fields(summary)})
    extra = notes(summary)
    if summary.groups_created:
        extra.append(_groups_line(summary))
    if extra:
        blocks.append(_section(_clip(slack_escape("\n".join(extra)), SLACK_TEXT_LIMIT)))
    if listing:
        blocks.append(_section(listing))
    if pointer:
        element = {"type": "mrkdwn", "text": _clip(slack_escape(pointer), SLACK_TEXT_LIMIT)}
        blocks.append({"type": "context", "elements": [element]})
    text = _clip(slack_escape(_title(summary)), SLACK_TEXT_LIMIT)
    return {"text": text, "blocks": blocks[:SLACK_MAX_BLOCKS]}


def slack_escape(text: str) -> str:
    """Text safe for Slack mrkdwn: &, < and > escaped, so data cannot form links or @-mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _listing(outcomes: Sequence[PersonOutcome]) -> tuple[str, int]:
    """Whole escaped lines that fit one section's text, and how many outcomes they cover."""
    lines: list[str] = []
    used = 0
    for outcome in outcomes:
        line = f"• {slack_escape(describe(outcome))}"
        if used + len(line) + 1 > SLACK_TEXT_LIMIT:
            if not lines:  # one very long line: show its start rather than nothing
                lines.append(_clip(line, SLACK_TEXT_LIMIT))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines), len(lines)


def _count_fields(summary: RunSummary) -> list[dict[str, str]]:
    fields = [
        {"type": "mrkdwn", "text": f"*{slack_escape(status)}*: {n}"}
        for status, n in summary.counts.items()
    ]
    return fields[:SLACK_MAX_FIELDS]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text, limit)}


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut; never half an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"
