"""The shapes of ChartHop answers the client reads, validated at the boundary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt


class PersonPage(BaseModel):
    """One page of ``GET /v2/org/{org}/person``: rows (flat or nested) and the next cursor."""

    model_config = ConfigDict(extra="allow")

    data: list[dict[str, Any]]
    next: str | None = None


class PersonCount(BaseModel):
    """The answer of ``GET /v2/org/{org}/person/count`` when it comes as an object."""

    model_config = ConfigDict(extra="allow")

    count: StrictInt


class OrgField(BaseModel):
    """One field of ``GET /v1/org/{org}/field``: its id and its code name (the name Carrot uses)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    name: str


class FieldPage(BaseModel):
    """One page of ``GET /v1/org/{org}/field``: fields and the next cursor."""

    model_config = ConfigDict(extra="allow")

    data: list[OrgField]
    next: str | None = None
