"""Run summaries by email and chat: rendering, sending, and the decision whether to send."""

from shared.infra.notify.notifier import Backoff, NotifyReport, notify, skip_reason
from shared.infra.notify.render import chat_payload, email_message, slack_escape, subject
from shared.infra.notify.senders import post_chat, send_email

__all__ = [
    "Backoff",
    "NotifyReport",
    "chat_payload",
    "email_message",
    "notify",
    "post_chat",
    "send_email",
    "skip_reason",
    "slack_escape",
    "subject",
]
