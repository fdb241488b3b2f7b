"""Render a run's summary as an email (text and HTML) and as a Slack-compatible chat post.

Pure: no I/O. Dry runs and held runs are labelled in the subject, the bodies and the chat header.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from typing import Any

from shared.models import RunSummary
from shared.summary import describe, headline

SLACK_TEXT_LIMIT = 3000  # characters in one section's text


def label(summary: RunSummary) -> str:
    """ "DRY RUN ", "HELD " or "" to put before a run's name."""
    if summary.status == "held":
        return "HELD "
    return "DRY RUN " if summary.dry_run else ""


def _title(summary: RunSummary) -> str:
    # headline() already says DRY RUN; only a held run needs a word more.
    return ("HELD " if summary.status == "held" else "") + headline(summary)


def subject(summary: RunSummary) -> str:
    """The email subject: the label, the run, and its non-zero counts."""
    counts = ", ".join(
        f"{n} {status}" for status, n in summary.counts.items() if n and status != "unchanged"
    )
    return f"[hopsync] {label(summary)}{summary.kind} {summary.run_id}: {counts or 'no changes'}"


def rest_pointer(summary: RunSummary, shown: int) -> str | None:
    """How to see the changes past the first ``shown``, or None when all were shown."""
    hidden = len(summary.changes) - shown
    if hidden <= 0:
        return None
    return f"... and {hidden} more: hopsync runs show {summary.run_id}"


def _held_line(summary: RunSummary) -> list[str]:
    if summary.status != "held":
        return []
    return [
        f"This run passed a safety limit and wrote nothing. Apply it with "
        f"`hopsync runs approve {summary.run_id}` or drop it with "
        f"`hopsync runs discard {summary.run_id}`."
    ]


def email_message(
    summary: RunSummary, *, to: list[str], sender: str, max_changes: int = 50
) -> EmailMessage:
    """The summary as an email with a text body and an HTML alternative."""
    shown = summary.changes[:max_changes]
    pointer = rest_pointer(summary, len(shown))
    text = [_title(summary), *_held_line(summary), ""]
    text += [describe(outcome) for outcome in shown]
    text += [pointer] if pointer else []
    message = EmailMessage()
    message["Subject"] = subject(summary)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content("\n".join(text) + "\n")
    message.add_alternative(_html(summary, shown, pointer), subtype="html")
    return message


def _html(summary: RunSummary, shown: list[Any], pointer: str | None) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(status)}</td><td>{n}</td></tr>"
        for status, n in summary.counts.items()
    )
    items = "".join(f"<li>{html.escape(describe(outcome))}</li>" for outcome in shown)
    extra = "".join(f"<p>{html.escape(line)}</p>" for line in _held_line(summary))
    more = f"<p>{html.escape(pointer)}</p>" if pointer else ""
    title = html.escape(_title(summary))
    return (
        f"<html><body><h2>{title}</h2>{extra}<table>{rows}</table>"
        f"<ul>{items}</ul>{more}</body></html>"
    )


def chat_payload(summary: RunSummary, max_changes: int = 10) -> dict[str, Any]:
    """The summary as a Slack-compatible post: fallback text and blocks."""
    shown = summary.changes[:max_changes]
    pointer = rest_pointer(summary, len(shown))
    title = _title(summary)
    fields = [
        {"type": "mrkdwn", "text": f"*{status}*: {n}"} for status, n in summary.counts.items()
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(title, 150)}},
        {"type": "section", "fields": fields[:10]},
    ]
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(line, 3000)}}
        for line in _held_line(summary)
    ]
    if shown:
        listing = "\n".join(f"• {describe(outcome)}" for outcome in shown)
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _clip(listing, SLACK_TEXT_LIMIT)},
            }
        )
    if pointer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": pointer}]})
    return {"text": _clip(title, SLACK_TEXT_LIMIT), "blocks": blocks}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
