"""The ChartHop webhook receiver: authenticate events, coalesce them per person in Redis."""

from producers.webhook.app import (
    MAX_BODY_BYTES,
    WEBHOOK_PATH,
    CleanupContext,
    Receiver,
    WebhookOptions,
    create_app,
    json_error,
    open_redis,
)
from producers.webhook.auth import SIGNATURE_HEADER, credential_problem, signature_problem
from producers.webhook.events import (
    EVENT_FAMILIES,
    Accepted,
    EventEnvelope,
    Ignored,
    Rejected,
    read_event,
)
from producers.webhook.intake import SEEN_TTL_S, Intake
from producers.webhook.serve import (
    PathOnlyAccessLogger,
    flusher_context,
    flusher_process_context,
    serve,
)

__all__ = [
    "EVENT_FAMILIES",
    "MAX_BODY_BYTES",
    "SEEN_TTL_S",
    "SIGNATURE_HEADER",
    "WEBHOOK_PATH",
    "Accepted",
    "CleanupContext",
    "EventEnvelope",
    "Ignored",
    "Intake",
    "PathOnlyAccessLogger",
    "Receiver",
    "Rejected",
    "WebhookOptions",
    "create_app",
    "credential_problem",
    "flusher_context",
    "flusher_process_context",
    "json_error",
    "open_redis",
    "read_event",
    "serve",
    "signature_problem",
]
