"""Export the worker's Okta counters and rate budget to Prometheus after each message."""

from __future__ import annotations

import time
from typing import Any

import redis
from dramatiq.middleware import Middleware

from shared import constants
from shared.infra.metrics import OktaCounterExport, export_budget
from workers.runtime import current

BUDGET_EVERY_S = 5.0


class OktaMetrics(Middleware):
    """Carries Okta call counts (as deltas) and, every few seconds, each bucket's budget left."""

    def __init__(self) -> None:
        self.export = OktaCounterExport()
        self._budget_read_at = 0.0

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        runtime = current()
        if runtime.clients is None:
            return
        self.export.export(runtime.clients.okta.counters)
        now = time.monotonic()
        if now - self._budget_read_at >= BUDGET_EVERY_S:
            self._budget_read_at = now
            try:
                export_budget(read_budgets(runtime.client))
            except redis.RedisError:
                return  # Redis is away: the budget is read again on a later message


def read_budgets(client: Any) -> dict[str, Any]:
    """{bucket: remaining} from the fleet-wide limiter's Redis hashes."""
    prefix = constants.ratelimit_key("")
    budgets: dict[str, Any] = {}
    for key in client.scan_iter(match=f"{prefix}*", count=100, _type="hash"):
        name = key.decode() if isinstance(key, bytes) else str(key)
        remaining = client.hget(name, "remaining")
        if remaining is not None:
            budgets[name.removeprefix(prefix)] = (
                remaining.decode() if isinstance(remaining, bytes) else remaining
            )
    return budgets
