"""What the console knows of the org, read at most every few minutes: ChartHop's field names (for
unknown-field errors as a filter is typed) and the attributes of Okta's user schema (to flag a
profile field Okta lacks). A read that fails leaves the checks that need it out, never the page."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Final

from config.loader import LoadedConfig
from producers.webconsole.problems import Problem, TextKind, unknown_field_problems
from shared.core.field_check import KnownFields
from shared.errors import HopsyncError
from shared.infra.clients import api_clients
from shared.infra.org_fields import read_known_fields

TTL_S: Final = 300.0


@dataclass
class OrgKnowledge:
    """The org's field names and Okta's user schema, each kept for ``ttl_s``."""

    ttl_s: float = TTL_S
    _fields: tuple[float, KnownFields] | None = field(default=None, repr=False)
    _schema: tuple[float, frozenset[str]] | None = field(default=None, repr=False)

    def _fresh(self, kept: tuple[float, object] | None) -> bool:
        return kept is not None and time.monotonic() - kept[0] < self.ttl_s

    async def fields(self, loaded: LoadedConfig) -> KnownFields | None:
        """ChartHop's fields, or None when they cannot be read now."""
        if self._fields is None or not self._fresh(self._fields):
            try:
                async with api_clients(loaded) as clients:
                    known, _ = await read_known_fields(clients.charthop)
            except HopsyncError:
                return None
            self._fields = (time.monotonic(), known)
        return self._fields[1]

    async def schema(self, loaded: LoadedConfig) -> frozenset[str] | None:
        """The attributes of Okta's default user schema, or None when it cannot be read now."""
        if self._schema is None or not self._fresh(self._schema):
            try:
                async with api_clients(loaded) as clients:
                    attributes = await clients.okta.user_profile_attributes()
            except HopsyncError:
                return None
            self._schema = (time.monotonic(), frozenset(attributes))
        return self._schema[1]


async def unknown_in(
    knowledge: OrgKnowledge, loaded: LoadedConfig, text: str, kind: TextKind
) -> list[Problem]:
    """Unknown ChartHop fields in a filter or source, as `check` reports them (none if unread)."""
    known = await knowledge.fields(loaded)
    if known is None:
        return []
    return unknown_field_problems(loaded.config, text, kind, known)
