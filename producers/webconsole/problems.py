"""Inline errors for what an admin types: a filter or a field source, checked as `check` does.

Pure: compiles the text with the same Carrot compiler the configuration's validation uses, and
reports the column and message of a syntax error, or the message of any other problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from config.settings import GroupConfig, HopsyncConfig
from shared.carrot import compile_filter, compile_source
from shared.core.field_check import KnownFields, unknown_fields
from shared.errors import CarrotError, CarrotSyntaxError

TextKind = Literal["filter", "source"]


@dataclass(frozen=True)
class Problem:
    """One problem with a text: its message, and its 1-based column when it has one."""

    message: str
    column: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The problem for the page's script."""
        return {"message": self.message, "column": self.column}


def filter_problems(text: str) -> list[Problem]:
    """What is wrong with a group's filter ("Include People Matching"); empty when it is fine."""
    if not text.strip():
        return [Problem("a filter is required: it selects the group's members")]
    return _problems(compile_filter, text)


def source_problems(text: str) -> list[Problem]:
    """What is wrong with a profile field's ChartHop field, expression or template."""
    if not text.strip():
        return [Problem("a ChartHop field, expression or {{template}} is required")]
    return _problems(compile_source, text)


def _problems(compile_text: Callable[[str], object], text: str) -> list[Problem]:
    try:
        compile_text(text)
    except CarrotSyntaxError as error:
        return [Problem(f"expected {error.expected}, found {error.found}", error.column)]
    except CarrotError as error:
        return [Problem(str(error))]
    return []


def unknown_field_problems(
    config: HopsyncConfig, text: str, kind: TextKind, known: KnownFields
) -> list[Problem]:
    """The fields a (well-formed) filter or source reads that the org lacks, with a suggestion
    and a caret, as `hopsync check` reports them."""
    if kind == "filter":
        probe = config.model_copy(
            update={"groups": [GroupConfig(name="probe", query=text)], "profile_fields": {}}
        )
        where = "groups[0].query"
    else:
        probe = config.model_copy(update={"groups": [], "profile_fields": {"probe": text}})
        where = "profile_fields.probe"
    return [Problem(item.message) for item in unknown_fields(probe, known) if item.where == where]
