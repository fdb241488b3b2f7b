"""Unknown fields: every ChartHop field a configuration reads must exist in the org.

Carrot reads an unknown field as null, so a typo (``departmnt:engineering``) would quietly select
nobody and empty a group. This module finds every field a group filter, a profile field source
(templates included) or the match reads, including the fields ``is:`` filters read, and checks it
against the org's fields: ChartHop's field list when it can be read, else the fields present in
the people read. A path is known when its field is: ``department.name`` needs ``department``
(properties of a field are not listed by ChartHop, so they are not checked). Names ignore case,
as in Carrot. Pure: the caller reads the field list or the people.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from config.settings import HopsyncConfig
from shared.carrot import compile_filter, compile_source
from shared.carrot import nodes as n
from shared.carrot.is_filters import IS_FILTERS

_SEGMENT = re.compile(r"\[\d+\]|\.")


@dataclass(frozen=True)
class KnownFields:
    """The org's field names, and where they were learnt (said in every report)."""

    names: frozenset[str]  # lower case
    spelled: Mapping[str, str]  # lower case -> as ChartHop spells it, for suggestions
    source: str

    @classmethod
    def of(cls, names: Iterable[str], source: str) -> KnownFields:
        """Known fields from code names (ChartHop's field list) or record keys."""
        spelled = {name.lower(): name for name in names}
        return cls(names=frozenset(spelled), spelled=spelled, source=source)

    @classmethod
    def from_field_list(cls, names: Iterable[str]) -> KnownFields:
        """The fields ChartHop's field list gives."""
        listed = list(names)
        return cls.of(listed, f"ChartHop's field list ({len(listed)} fields)")

    @classmethod
    def from_people(cls, people: Iterable[Mapping[str, Any]], why: str = "") -> KnownFields:
        """The fields present in people records (nested, or flat with dotted keys)."""
        count = 0
        names: set[str] = set()
        for person in people:
            count += 1
            names.update(key.split(".")[0] for key in person)
        reason = f"; {why}" if why else ""
        return cls.of(names, f"the fields present in the {count} people read{reason}")

    def knows(self, path: str) -> bool:
        """Whether the field a dotted path starts with is known."""
        segments = [part for part in _SEGMENT.split(path) if part]
        return bool(segments) and segments[0].lower() in self.names

    def suggest(self, path: str) -> str | None:
        """The known field closest to the path's field, when one is close."""
        head = next(part for part in _SEGMENT.split(path) if part).lower()
        close = difflib.get_close_matches(head, list(self.names), n=1, cutoff=0.7)
        return self.spelled[close[0]] if close else None


@dataclass(frozen=True)
class UnknownField:
    """A field the configuration reads that the org does not have."""

    where: str  # the configuration path: groups[0].query, profile_fields.title, match.charthop
    field: str
    message: str  # with the caret drawing when the field is in Carrot text


def unknown_fields(config: HopsyncConfig, known: KnownFields) -> list[UnknownField]:
    """Every unknown field the configuration reads, in the order of the file."""
    found: list[UnknownField] = []
    for index, group in enumerate(config.groups):
        tree = compile_filter(group.query).ast
        found += _in_text(f"groups[{index}].query", group.query, tree, known)
    for attribute, source in config.profile_fields.items():
        tree = compile_source(source).ast
        found += _in_text(f"profile_fields.{attribute}", source, tree, known)
    if not known.knows(config.match.charthop):
        field = config.match.charthop
        found.append(UnknownField("match.charthop", field, _unknown(field, known)))
    return found


def problems(config: HopsyncConfig, known: KnownFields) -> list[tuple[str, str]]:
    """Unknown fields as configuration problems (path, message), as ConfigError lists them."""
    return [(item.where, item.message) for item in unknown_fields(config, known)]


def _in_text(where: str, text: str, tree: n.Tree, known: KnownFields) -> list[UnknownField]:
    found: list[UnknownField] = []
    seen: set[str] = set()
    for node in n.walk(tree):
        if isinstance(node, n.Path) and not known.knows(node.dotted):
            field = node.dotted
            message = _unknown(field, known)
        elif isinstance(node, n.IsFilter):
            missing = _is_filter_gap(node, known)
            if missing is None:
                continue
            field, message = missing
        else:
            continue
        if field.lower() in seen:
            continue
        seen.add(field.lower())
        found.append(UnknownField(where, field, _with_caret(message, text, node.span[0])))
    return found


def _is_filter_gap(node: n.IsFilter, known: KnownFields) -> tuple[str, str] | None:
    """An ``is:`` filter none of whose fields the org has (it would never, or always, match)."""
    for name in node.names:
        fields = IS_FILTERS[name].fields
        if not any(known.knows(field) for field in fields):
            listed = " or ".join(fields)
            return f"is:{name}", (
                f"is:{name} reads {listed}, and the org has none of them; "
                "filter on a field the org has"
            )
    return None


def _unknown(field: str, known: KnownFields) -> str:
    suggestion = known.suggest(field)
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    return f"unknown field {field!r}{hint}"


def _with_caret(message: str, text: str, offset: int) -> str:
    line = text.replace("\n", " ")
    return f"{message}\n  {line}\n  {' ' * offset}^"
