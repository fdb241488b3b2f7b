"""hopsync's worker middleware: small classes with Dramatiq's before_/after_ hooks."""

from workers.middleware.clients import ApiClients
from workers.middleware.dead_letters import DeadLetters
from workers.middleware.metrics import OktaMetrics
from workers.middleware.presence import WorkerPresence

__all__ = ["ApiClients", "DeadLetters", "OktaMetrics", "WorkerPresence"]
