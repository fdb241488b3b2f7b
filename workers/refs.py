"""okta(person, attribute) answers for a worker: from the run's outcomes, or looked up now.

A resync's first try answers from the snapshot the producer attached to the item. A person whose
referred person (a manager) the same run creates waits for that person's outcome; a freshly read
person (live sync, retries) has the referred person's Okta user looked up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from shared.core.models import OktaRef, OktaUserSnapshot, SyncItem, SyncMessage
from shared.core.okta_refs import OktaLookup, ref_from_outcome, ref_id
from shared.core.rules import Rules
from shared.core.snapshot import lookup_user
from shared.errors import WaitingForPeopleError
from shared.infra.clients import Clients
from shared.infra.runs import RunStore
from shared.records import get_path

WAIT_FOR_PEOPLE_S: Final = 1.0  # how long a person waiting for new Okta users is parked
MAX_WAIT_FOR_PEOPLE_S: Final = 1800.0  # past this age of its run, a waiting person goes on


def pending_lookup(
    runs: RunStore, message: SyncMessage, item: SyncItem, lookup: OktaLookup | None
) -> OktaLookup:
    """okta() answers once the people this run creates are done: their outcomes give their new
    users. Parks the message (WaitingForPeopleError) while any is not done; in a dry run, or
    after MAX_WAIT_FOR_PEOPLE_S, the attributes still unknown are left as they are."""
    refs = dict(lookup.refs if lookup is not None else item.refs)
    unknown = list(lookup.unknown) if lookup is not None else []
    waiting: list[str] = []
    for person_id in item.pending:
        done = runs.outcome(message.run_id, person_id)
        ref = ref_from_outcome(done) if done is not None else None
        if ref is not None:
            refs[person_id] = ref
        elif done is None and not message.dry_run:
            waiting.append(person_id)
        else:
            unknown.append(person_id)
    if waiting and not _waited_too_long(runs, message.run_id):
        raise WaitingForPeopleError(waiting, WAIT_FOR_PEOPLE_S)
    return OktaLookup(refs, pending=(), unknown=[*unknown, *waiting])


def _waited_too_long(runs: RunStore, run_id: str) -> bool:
    age = datetime.now(UTC) - runs.meta(run_id).created_at
    return age.total_seconds() > MAX_WAIT_FOR_PEOPLE_S


async def fresh_lookup(
    clients: Clients, rules: Rules, item: SyncItem, group_ids: dict[str, str]
) -> OktaLookup | None:
    """okta() answers for a freshly read person: each referred person's Okta user looked up now
    (live sync and retries; a resync's first try answers from its snapshot instead)."""
    use = rules.ref_use
    if not use.paths or item.person is None:
        return None
    refs: dict[str, OktaRef] = {}
    unknown: list[str] = []
    for path in use.paths:
        reference = get_path(item.person, path)
        person_id = ref_id(reference)
        if person_id is None or person_id in item.pending or person_id in refs:
            continue
        found = await _referred_user(clients, rules, reference, person_id, group_ids)
        if found is None:
            unknown.append(person_id)
        else:
            refs[person_id] = use.ref_of(found)
    return OktaLookup(refs, pending=item.pending, unknown=unknown)


async def _referred_user(
    clients: Clients, rules: Rules, reference: Any, person_id: str, group_ids: dict[str, str]
) -> OktaUserSnapshot | None:
    """The Okta user of a referred person: by the match value the reference carries (ChartHop's
    manager field holds the work email), else by the person read from ChartHop."""
    value = rules.match_value(reference) if isinstance(reference, dict) else None
    if value is None:
        person = await clients.charthop.get_person(person_id)
        value = rules.match_value(person) if person is not None else None
    if value is None:
        return None
    return await lookup_user(clients.okta, rules, value, group_ids)
