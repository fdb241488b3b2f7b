"""okta(person, attribute) in profile fields: the Okta users of the people a person refers to.

A profile field such as ``managerId: okta(manager, "id")`` needs the manager's Okta user. A resync
resolves it from its snapshot (no extra Okta call); a manager whose Okta user this very run creates
is *pending*: the report's attribute waits for the manager's outcome, then is written (see
workers.sync). Pure: the producer and the workers hand in what they know.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.carrot import nodes as n
from shared.carrot.api import Compiled
from shared.core.models import OktaRef, OktaUserSnapshot, PersonOutcome, SyncItem
from shared.records import get_path


def ref_id(reference: Any) -> str | None:
    """The ChartHop person id a reference names: a person object's ``id``, or the id itself."""
    if isinstance(reference, Mapping):
        reference = reference.get("id")
    return str(reference) if isinstance(reference, str | int) and reference != "" else None


@dataclass
class OktaLookup:
    """Answers okta(person, attribute) for one plan, noting what it could not answer.

    ``pending``: people whose Okta user this run is creating (the caller waits for them);
    ``unknown``: people whose Okta user could not be learnt (the attribute is left as it is).
    """

    refs: Mapping[str, OktaRef] = field(default_factory=dict)
    pending: Collection[str] = ()
    unknown: Collection[str] = ()
    waited: set[str] = field(default_factory=set)
    missed: bool = False

    def __call__(self, reference: Any, attribute: str) -> Any:
        person_id = ref_id(reference)
        if person_id is None:
            return None
        if person_id in self.pending or person_id in self.unknown:
            self.missed = True
            if person_id in self.pending:
                self.waited.add(person_id)
            return None
        found = self.refs.get(person_id)
        if found is None:
            return None
        return found.id if attribute == "id" else found.profile.get(attribute)

    def take_miss(self) -> bool:
        """Whether the last evaluation met a person it could not answer for (and reset)."""
        missed, self.missed = self.missed, False
        return missed


@dataclass(frozen=True)
class RefUse:
    """Where profile fields call okta(): the paths they pass and the attributes they read."""

    paths: frozenset[str]
    attributes: frozenset[str]

    @classmethod
    def of(cls, fields: Iterable[Compiled]) -> RefUse:
        """Collect the okta() calls of compiled field sources."""
        paths: set[str] = set()
        attributes: set[str] = set()
        for source in fields:
            for call in _okta_calls(source.ast):
                first, second = call.args
                if isinstance(first, n.Path):
                    paths.add(first.dotted)
                if isinstance(second, n.Literal) and isinstance(second.value, str):
                    attributes.add(second.value)
        return cls(frozenset(paths), frozenset(attributes))

    def referenced(self, person: Mapping[str, Any]) -> set[str]:
        """The ids of the people a person's okta() calls refer to."""
        found = (ref_id(get_path(person, path)) for path in self.paths)
        return {person_id for person_id in found if person_id is not None}

    def ref_of(self, user: OktaUserSnapshot) -> OktaRef:
        """A user trimmed to what okta() calls read."""
        profile = {k: v for k, v in user.profile.items() if k in self.attributes}
        return OktaRef(id=user.id, profile=profile)


def attach_refs(items: Iterable[SyncItem], use: RefUse) -> None:
    """Give each person's item the Okta users its okta() fields refer to, from the run's
    snapshot, and the people among those whose Okta user the run is about to create."""
    listed = [item for item in items if item.person is not None]
    known: dict[str, OktaRef] = {}
    creating: set[str] = set()
    for item in listed:
        person_id = ref_id(item.person)
        if person_id is None or item.departed:
            continue
        if item.okta is None:
            creating.add(person_id)
        else:
            known[person_id] = use.ref_of(item.okta)
    for item in listed:
        assert item.person is not None
        wanted = use.referenced(item.person) - {ref_id(item.person)}
        item.refs = {person_id: known[person_id] for person_id in wanted if person_id in known}
        item.pending = sorted(wanted & creating)


def ref_from_outcome(outcome: PersonOutcome) -> OktaRef | None:
    """A person's Okta user as their outcome in this run tells it: known once created."""
    if outcome.status != "created" or outcome.okta_user_id is None:
        return None
    profile = {change.attribute: change.new for change in outcome.changes}
    return OktaRef(id=outcome.okta_user_id, profile=profile)


def _okta_calls(node: Any) -> Iterable[n.Call]:
    if isinstance(node, n.Call) and node.name.lower() == "okta":
        yield node
    if isinstance(node, tuple | list):
        for item in node:
            yield from _okta_calls(item)
        return
    for name in getattr(node, "__slots__", ()):
        child = getattr(node, name, None)
        if isinstance(child, tuple | list) or hasattr(child, "__slots__"):
            yield from _okta_calls(child)
