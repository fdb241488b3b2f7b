"""Unknown fields in live sync: a configuration version reading a field the org lacks writes
nothing.

`hopsync check`, `config apply` and every resync refuse such a configuration (Carrot reads an
unknown field as null, so a typo empties a group). Live sync checks the version its period's run
pinned, once per version: ChartHop's field list is read when a version is first used, never per
event. A version found sound stays sound (a version never changes); one found reading an unknown
field is checked again after ``recheck_s``, since the fix may be the field created in ChartHop
rather than a new version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

import structlog

from config.settings import HopsyncConfig
from shared.charthop import ChartHopClient
from shared.core.field_check import KnownFields, UnknownField, unknown_fields
from shared.infra.org_fields import read_known_fields

log = structlog.get_logger(__name__)

RECHECK_S: Final = 300.0  # how long a refused version stays refused before the org is read again

FieldReader = Callable[[], Awaitable[KnownFields]]
"""Reads the org's fields (ChartHop's field list, else its people); raises HopsyncError."""
ConfigOf = Callable[[int | None], HopsyncConfig]
"""The configuration of a version (None: the process's own); a blocking call, run off the loop."""


def charthop_fields(client: ChartHopClient) -> FieldReader:
    """A reader of the org's fields through ChartHop, as `check` and resync read them."""

    async def read() -> KnownFields:
        known, _ = await read_known_fields(client)
        return known

    return read


def refusal_reason(version: int | None, found: Sequence[UnknownField], known: KnownFields) -> str:
    """One line for the failed run: the unknown fields, the list checked, and how to recover."""
    named = "; ".join(f"{item.where}: {item.message.splitlines()[0]}" for item in found)
    label = "the configuration" if version is None else f"configuration version {version}"
    return (
        f"{label} reads unknown fields (checked against {known.source}): {named}; "
        "nothing was written: each person's sync is kept in the dead-letter queue; fix the "
        "configuration (`hopsync config apply FILE`), then `hopsync dlq replay --all`"
    )


class FieldGate:
    """Whether a configuration version reads only fields the org has, remembered per version."""

    def __init__(
        self,
        read_fields: FieldReader,
        config_of: ConfigOf,
        *,
        recheck_s: float = RECHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read_fields = read_fields
        self.config_of = config_of
        self.recheck_s = recheck_s
        self.clock = clock
        self._verdicts: dict[int | None, tuple[float, str | None]] = {}

    async def refusal(self, version: int | None) -> str | None:
        """None when the version reads only known fields; else why live sync must not write.

        Raises HopsyncError when the org's fields cannot be read now (nothing is remembered).
        """
        kept = self._verdicts.get(version)
        if kept is not None and (kept[1] is None or self.clock() - kept[0] < self.recheck_s):
            return kept[1]
        config = await asyncio.to_thread(self.config_of, version)
        known = await self.read_fields()
        found = unknown_fields(config, known)
        reason = refusal_reason(version, found, known) if found else None
        self._verdicts[version] = (self.clock(), reason)
        if reason is None:
            log.info("live sync fields checked", version=version, source=known.source)
        else:
            log.error("live sync refused: unknown fields", version=version, reason=reason)
        return reason
