"""The Settings page's form, built from the configuration models themselves.

Every setting of the configuration reference gets an input of its type (a checkbox, a number, a
text, one line per list entry, a choice), with the model's description as its help; an optional
section (safety limits, SMTP) gets a switch. A setting added to the models appears here without
a change to the console. Groups and profile fields have pages of their own and are left out.
Pure: builds inputs from a document, and a document from submitted values.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from config.settings import HopsyncConfig

OWN_PAGES: Final = frozenset({"groups", "profile_fields"})
# The seed's settings first, then where hopsync connects, then how it runs.
ORDER: Final = ("settings", "settings.safety", "okta", "charthop", "match", "smtp", "worker", "")
Kind = Literal["bool", "number", "text", "lines", "choice"]


@dataclass
class Input:
    """One setting's input."""

    path: str
    label: str
    kind: Kind
    value: Any
    help: str = ""
    choices: tuple[str, ...] = ()
    nullable: bool = False


@dataclass
class Section:
    """A group of settings: a model of the configuration."""

    path: str
    title: str
    help: str
    inputs: list[Input] = field(default_factory=list)
    optional: bool = False
    enabled: bool = True


def sections(document: Mapping[str, Any]) -> list[Section]:
    """The form's sections, with the document's values."""
    found: list[Section] = []
    top = Section("", "Runs", "How long runs are kept.")
    _walk(HopsyncConfig, document, "", found, top)
    every = found + ([top] if top.inputs else [])
    return sorted(every, key=lambda s: ORDER.index(s.path) if s.path in ORDER else len(ORDER))


def _walk(
    model: type[BaseModel],
    values: Mapping[str, Any] | None,
    prefix: str,
    found: list[Section],
    section: Section,
) -> None:
    for name, info in model.model_fields.items():
        if not prefix and name in OWN_PAGES:
            continue
        path = f"{prefix}{name}"
        annotation, nullable = _unwrap(info.annotation)
        value = (values or {}).get(name) if values is not None else _default(info)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            child = Section(
                path, _title(path), _doc(annotation), optional=nullable, enabled=value is not None
            )
            found.append(child)
            _walk(
                annotation, value if isinstance(value, Mapping) else None, f"{path}.", found, child
            )
            continue
        section.inputs.append(_input(path, annotation, nullable, value, info.description or ""))


def _default(info: Any) -> Any:
    """A setting's default, shown in an optional section that is switched off."""
    default = info.get_default(call_default_factory=True)
    return None if default is PydanticUndefined else default


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _input(path: str, annotation: Any, nullable: bool, value: Any, help_text: str) -> Input:
    label = path.rsplit(".", 1)[-1].replace("_", " ")
    if annotation is bool:
        return Input(path, label, "bool", bool(value), help_text)
    if annotation in (int, float):
        return Input(
            path, label, "number", "" if value is None else value, help_text, nullable=nullable
        )
    if get_origin(annotation) is Literal:
        choices = tuple(str(arg) for arg in get_args(annotation))
        return Input(path, label, "choice", value, help_text, choices, nullable)
    if get_origin(annotation) is list:
        return Input(path, label, "lines", "\n".join(map(str, value or [])), help_text)
    return Input(path, label, "text", "" if value is None else value, help_text, nullable=nullable)


_NAMES = {"charthop": "ChartHop", "okta": "Okta", "smtp": "SMTP"}  # as the product names them


def _title(path: str) -> str:
    words = path.replace(".", " › ").replace("_", " ").split(" ")
    named = [_NAMES.get(word, word) for word in words]
    return " ".join([named[0][:1].upper() + named[0][1:], *named[1:]])


def _doc(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""


def apply(document: Mapping[str, Any], submitted: Mapping[str, str]) -> dict[str, Any]:
    """The document with the submitted settings written in (to be validated by the models).

    Numbers stay text: the models convert them, and a bad one is reported by its path.
    """
    updated: dict[str, Any] = copy.deepcopy(dict(document))
    for section in sections(document):
        if section.optional and not submitted.get(f"{section.path}.__enabled"):
            _set(updated, section.path, None)
            continue
        if section.optional and _get(updated, section.path) is None:
            _set(updated, section.path, {})
        for item in section.inputs:
            _set(updated, item.path, _value(item, submitted.get(item.path)))
    return updated


def _value(item: Input, raw: str | None) -> Any:
    if item.kind == "bool":
        return raw is not None
    text = (raw or "").strip()
    if item.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if not text and item.nullable:
        return None
    return text


def _get(document: Mapping[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = document
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[last] = value
