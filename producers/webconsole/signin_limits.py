"""Sign-in attempts rate-limited: after too many failures, a name or an address waits.

Failures are counted per account name and per client address in a window; a successful sign-in
clears the name's count. Both limits apply, so guessing many names from one address is slowed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import redis

from shared import constants

WINDOW_S: Final = 15 * 60
MAX_PER_NAME: Final = 5
MAX_PER_ADDRESS: Final = 20


@dataclass
class SigninLimits:
    """Counts failed sign-ins and says when to refuse."""

    client: redis.Redis
    window_s: int = WINDOW_S
    max_per_name: int = MAX_PER_NAME
    max_per_address: int = MAX_PER_ADDRESS

    def blocked_for(self, name: str, address: str) -> int:
        """Seconds until this name or address may try again; 0 when it may try now."""
        waits = [
            self._wait(constants.console_attempts_key("name", name.casefold()), self.max_per_name),
            self._wait(constants.console_attempts_key("address", address), self.max_per_address),
        ]
        return max(waits)

    def _wait(self, key: str, limit: int) -> int:
        with self.client.pipeline() as pipe:
            pipe.get(key)
            pipe.ttl(key)
            count, ttl = pipe.execute()
        return max(int(ttl), 1) if count is not None and int(count) >= limit else 0

    def failed(self, name: str, address: str) -> None:
        """Count one failed attempt against the name and the address."""
        for key in (
            constants.console_attempts_key("name", name.casefold()),
            constants.console_attempts_key("address", address),
        ):
            with self.client.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, self.window_s, nx=True)
                pipe.execute()

    def succeeded(self, name: str) -> None:
        """Clear the name's failures."""
        self.client.delete(constants.console_attempts_key("name", name.casefold()))
