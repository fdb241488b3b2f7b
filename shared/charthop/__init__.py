"""ChartHop API client: settings, the async client, its counters and retry arithmetic."""

from shared.charthop.client import ChartHopClient, Sleep
from shared.charthop.counters import NO_ANSWER, ChartHopCounters
from shared.charthop.models import PersonCount, PersonPage
from shared.charthop.retry import backoff_delay, is_retryable, parse_retry_after
from shared.charthop.settings import ChartHopSettings

__all__ = [
    "NO_ANSWER",
    "ChartHopClient",
    "ChartHopCounters",
    "ChartHopSettings",
    "PersonCount",
    "PersonPage",
    "Sleep",
    "backoff_delay",
    "is_retryable",
    "parse_retry_after",
]
