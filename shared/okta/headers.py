"""Read Okta's response headers: the rate-limit trio, the Link pagination header and Date."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

LIMIT_HEADER = "X-Rate-Limit-Limit"
REMAINING_HEADER = "X-Rate-Limit-Remaining"
RESET_HEADER = "X-Rate-Limit-Reset"

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";,]+)"?""", re.IGNORECASE)


@dataclass(frozen=True)
class RateLimitReading:
    """One response's rate-limit headers: the window's budget, what is left, and its Reset.

    ``limit`` 0 marks a concurrency 429: Okta's in-flight cap, not the per-minute budget.
    """

    limit: int
    remaining: int
    reset: float  # epoch seconds (Okta's clock) when the window refills

    @property
    def is_concurrency(self) -> bool:
        """True when the reading describes Okta's concurrency cap rather than a window."""
        return self.limit == 0


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def read_rate_limit(headers: Mapping[str, str]) -> RateLimitReading | None:
    """The rate-limit reading of a response, or None when any of the three headers is unusable."""
    limit = _int_header(headers, LIMIT_HEADER)
    remaining = _int_header(headers, REMAINING_HEADER)
    reset = _int_header(headers, RESET_HEADER)
    if limit is None or remaining is None or reset is None or limit < 0:
        return None
    return RateLimitReading(limit=limit, remaining=max(0, remaining), reset=float(reset))


def next_link(link_headers: Iterable[str]) -> str | None:
    """The URL of the rel="next" link among Link header values, exactly as Okta wrote it."""
    for value in link_headers:
        for match in _LINK_PART.finditer(value):
            rels = _REL.findall(match.group(2))
            if any("next" in rel.split() for rel in rels):
                return match.group(1).strip()
    return None


def server_date(headers: Mapping[str, str]) -> float | None:
    """The Date header as epoch seconds (whole seconds, as HTTP dates are), or None."""
    value = headers.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
