"""hopsync's worker middleware: small classes with Dramatiq's before_/after_ hooks."""

from workers.middleware.clients import ApiClients
from workers.middleware.dead_letters import DeadLetters

__all__ = ["ApiClients", "DeadLetters"]
