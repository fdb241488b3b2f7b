"""Run summaries by email and chat: rendering, sending, and the decision whether to send."""

from shared.notify.notifier import NotifyReport, notify, worth_telling
from shared.notify.render import chat_payload, email_message, subject
from shared.notify.senders import post_chat, send_email

__all__ = [
    "NotifyReport",
    "chat_payload",
    "email_message",
    "notify",
    "post_chat",
    "send_email",
    "subject",
    "worth_telling",
]
