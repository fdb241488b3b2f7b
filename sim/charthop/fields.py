"""The fake ChartHop's field list: ``GET /v1/org/{org}/field?builtin=all|builtin|custom``.

ChartHop's field API lists an org's fields, built-in and custom; each has an id and its code name,
the name Carrot uses. The fake lists ChartHop's built-in fields a people sync meets (objects such
as ``name``, ``contact`` and ``location`` are one field each: Carrot reads their properties with
``.``) and, as custom fields, every other top-level key its people carry. The answer is paged like
people: ``{"data": [...], "next": cursor}`` with ``from``/``limit``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

BUILTIN_FIELDS: Final = (
    ("id", "Person ID", "STRING"),
    ("personId", "Person ID", "STRING"),
    ("jobId", "Job ID", "STRING"),
    ("name", "Name", "NAME"),
    ("contact", "Contact", "CONTACT"),
    ("title", "Title", "STRING"),
    ("department", "Department", "GROUP"),
    ("location", "Location", "GROUP"),
    ("workAddress", "Work address", "ADDRESS"),
    ("homeAddress", "Home address", "ADDRESS"),
    ("manager", "Manager", "PERSON"),
    ("directReports", "Direct reports", "NUMBER"),
    ("directs", "Directs", "PERSONLIST"),
    ("startDate", "Start date", "DATE"),
    ("startDateOrg", "Start date (org)", "DATE"),
    ("endDate", "End date", "DATE"),
    ("endDateOrg", "End date (org)", "DATE"),
    ("employment", "Employment", "ENUM"),
    ("employeeId", "Employee ID", "STRING"),
    ("base", "Base pay", "MONEY"),
    ("variable", "Variable pay", "MONEY"),
    ("grants", "Stock grants", "LIST"),
    ("daysOpen", "Days open", "NUMBER"),
    ("tenure", "Tenure (months)", "NUMBER"),
)
KINDS: Final = ("all", "builtin", "custom")


def _field(code: str, label: str, kind: str, *, builtin: bool) -> dict[str, Any]:
    field_id = hashlib.sha256(code.encode()).hexdigest()[:24]
    return {"id": field_id, "name": code, "label": label, "type": kind, "builtin": builtin}


def org_fields(
    people: Iterable[Mapping[str, Any]], builtin: str = "custom"
) -> list[dict[str, Any]]:
    """The org's fields of one kind ("all", "builtin" or "custom", ChartHop's default)."""
    if builtin not in KINDS:
        raise ValueError(f"builtin must be one of {', '.join(KINDS)}, got {builtin!r}")
    known = {code for code, _, _ in BUILTIN_FIELDS}
    custom = sorted({key.split(".")[0] for person in people for key in person} - known)
    found: list[dict[str, Any]] = []
    if builtin in ("all", "builtin"):
        found += [_field(*spec, builtin=True) for spec in BUILTIN_FIELDS]
    if builtin in ("all", "custom"):
        found += [_field(code, code, "STRING", builtin=False) for code in custom]
    return found
