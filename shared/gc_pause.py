"""Pause Python's cyclic garbage collector while a bulk job builds a large, acyclic working set.

A resync holds the whole org in memory: hundreds of thousands of small dicts and models, almost
none of them in reference cycles. Each full collection walks all of them, and their number grows
with the org, so at 50,000 people the collector cost a third of the producer's time. Reference
counting still frees everything as usual; the collector runs once when the pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable cyclic collection inside the block (unless already disabled), collect after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()
