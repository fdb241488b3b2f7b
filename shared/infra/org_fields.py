"""Read the org's fields for the unknown-field check: ChartHop's field list, else its people.

The field list is one or two cheap pages; a token that may not read it (403) falls back to the
fields present in the people read, which the caller may pass on to avoid reading them twice.
"""

from __future__ import annotations

from typing import Any

from shared.charthop import ChartHopClient
from shared.core.field_check import KnownFields
from shared.errors import ChartHopError

FALLBACK_STATUSES = (403, 404)  # no access to the field list, or no field list at this address


async def read_known_fields(
    client: ChartHopClient,
) -> tuple[KnownFields, list[dict[str, Any]] | None]:
    """The org's fields, and the people read when the field list could not be (else None)."""
    try:
        return KnownFields.from_field_list(await client.list_fields()), None
    except ChartHopError as error:
        if error.status not in FALLBACK_STATUSES:
            raise
        people = [person async for person in client.list_people()]
        why = f"ChartHop's field list answered {error.status}"
        return KnownFields.from_people(people, why), people
