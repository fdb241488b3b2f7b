"""Pure retry arithmetic for the ChartHop client: which answers to retry and how long to wait."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BUILDING = 202  # "snapshot currently building": same request again after a pause
TOO_MANY = 429


def is_retryable(status: int) -> bool:
    """True for answers worth another try: snapshot building, throttled, or a server error."""
    return status in (BUILDING, TOO_MANY) or 500 <= status <= 599


def backoff_delay(attempt: int, base_s: float, cap_s: float, rand: Callable[[], float]) -> float:
    """Seconds before retry number ``attempt`` (0-based): capped exponential, "equal jitter".

    Half of the step is fixed so a retry never fires at once; the other half is random so that
    many clients throttled together do not come back together.
    """
    step = min(cap_s, base_s * 2.0**attempt)
    return step / 2 + rand() * step / 2


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta seconds or HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
