"""The fake ChartHop's state: people, departures, fault knobs and counters; safe across threads.

Tests change people from their own thread while the server thread answers requests, so every
read and change goes through ``lock``.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from shared.records import Person, merge, nest
from sim.charthop.events import make_event
from sim.charthop.generator import generate_org, manager_ref
from sim.charthop.query import simple_filter

QueryFilter = Callable[[str, Mapping[str, Any]], bool]
"""``(q, person) -> keep?``: replaces the built-in simple ``q`` filter when set."""

DEFAULT_TOKEN = "charthop-sim-token"


class FakeChartHop:
    """People by id (active and departed), the org, the API token, knobs and counters.

    Knobs (set them any time): ``building_next`` / ``throttle_next`` / ``fail_next`` answer the next
    N requests with 202 / 429 / ``fail_status``; ``retry_after`` is sent with 429s when set;
    ``latency_s`` delays every answer; ``query_filter`` replaces the simple ``q`` filter;
    ``fields_forbidden`` answers the field list 403.
    """

    def __init__(
        self,
        people: Iterable[Mapping[str, Any]] = (),
        *,
        org: str = "acme",
        token: str = DEFAULT_TOKEN,
        org_id: str | None = None,
    ) -> None:
        self.org = org
        self.org_id = org_id or hashlib.sha256(org.encode()).hexdigest()[:24]
        self._token = token
        self.lock = threading.RLock()
        self.today: Callable[[], date] = date.today
        self.people: dict[str, Person] = {}
        self.departed: dict[str, Person] = {}
        for record in people:
            person = nest(record)
            target = self.departed if self._ended(person) else self.people
            target[person["id"]] = person
        self.query_filter: QueryFilter | None = None
        self.building_next = 0
        self.throttle_next = 0
        self.retry_after: str | None = None
        self.fail_next = 0
        self.fail_status = 503
        self.latency_s = 0.0
        self.fields_forbidden = False  # answer the field list 403, as for a token without access
        self.default_page_size = 100
        self.max_page_size = 1000
        self.requests = 0
        self.calls: Counter[tuple[str, int]] = Counter()
        self._version = 0
        self._matches: dict[tuple[Any, ...], list[Person]] = {}

    @classmethod
    def generated(
        cls,
        size: int,
        *,
        seed: int = 0,
        departed: int = 0,
        today: date | None = None,
        org: str = "acme",
        token: str = DEFAULT_TOKEN,
        domain: str = "acme.example",
        **shares: float,
    ) -> FakeChartHop:
        """A fake holding ``generate_org(size, ...)`` plus ``departed`` former employees."""
        day = today or date.today()
        people = generate_org(size + departed, seed=seed, today=day, domain=domain, **shares)
        fake = cls(people, org=org, token=token)
        if today is not None:
            fake.today = lambda: today
        rng = random.Random(seed)
        leavers = [p["id"] for p in people if p["directReports"] == 0 and "manager" in p]
        for person_id in rng.sample(leavers, min(departed, len(leavers))):
            fake.depart(person_id, on=day - timedelta(days=rng.randint(1, 700)))
        return fake

    def __repr__(self) -> str:
        return (
            f"FakeChartHop(org={self.org!r}, people={len(self.people)},"
            f" departed={len(self.departed)}, requests={self.requests})"
        )

    @property
    def token(self) -> str:
        """The bearer token clients must send (kept out of the repr)."""
        return self._token

    def token_matches(self, authorization: str | None) -> bool:
        """True when an Authorization header carries this fake's bearer token."""
        expected = f"Bearer {self._token}".encode()
        return hmac.compare_digest((authorization or "").encode(), expected)

    def next_fault(self) -> int | None:
        """The status to answer instead (202, 429 or fail_status) when a fault knob is set."""
        with self.lock:
            if self.building_next > 0:
                self.building_next -= 1
                return 202
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return 429
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status
            return None

    def record(self, kind: str, status: int) -> None:
        """Count one answered request of ``kind`` ("list", "get", "count", "other")."""
        with self.lock:
            self.requests += 1
            self.calls[(kind, status)] += 1

    def matching(self, q: str | None, include_all: bool) -> list[Person]:
        """The people ``q`` selects, in a stable order.

        Filtered results are cached until the next change made through this class's methods (or
        ``changed()``), so paging a filtered listing does not filter the whole org per page.
        Raises ValueError when the simple filter cannot read ``q``.
        """
        with self.lock:
            self.settle()
            people = list(self.people.values())
            if include_all:
                people += self.departed.values()
            if not q:
                return people
            key = (q, include_all, self._version, id(self.query_filter))
            cached = self._matches.get(key)
            if cached is None:
                keeps = self._predicate(q)
                cached = [person for person in people if keeps(person)]
                self._matches = {key: cached}
            return cached

    def changed(self) -> None:
        """Forget cached query results; call it after changing ``people`` directly."""
        with self.lock:
            self._version += 1

    def _predicate(self, q: str) -> Callable[[Mapping[str, Any]], bool]:
        hook = self.query_filter
        if hook is None:
            return simple_filter(q)
        return lambda person: hook(q, person)

    def find(self, person_id: str) -> Person | None:
        """A person by id, active or departed (the stored record: copy before changing it)."""
        with self.lock:
            return self.people.get(person_id) or self.departed.get(person_id)

    def update_person(self, person_id: str, changes: Mapping[str, Any]) -> Person:
        """Apply changes (dotted keys allowed; None removes a field) and return the new record.

        A new ``manager.id`` moves the person, keeping both managers' ``directReports`` right; a new
        work email is copied into the ``manager`` field of the person's reports.
        """
        with self.lock:
            old = self._require(person_id)
            new = merge(old, changes)
            new["id"] = person_id
            old_manager, new_manager = _manager_id(old), _manager_id(new)
            if new_manager != old_manager:
                self._move(new, old_manager, new_manager, counted=person_id in self.people)
            self._store(new)
            if _email(new) != _email(old):
                self._refresh_reports(person_id)
            return nest(new)

    def hire(self, person: Mapping[str, Any]) -> Person:
        """Add a person (ids made up when missing; a former employee comes back) and return it."""
        with self.lock:
            new = nest(person)
            new.setdefault("id", secrets.token_hex(12))
            new.setdefault("jobId", secrets.token_hex(12))
            new.setdefault("directReports", 0)
            new.pop("endDateOrg", None)
            self.departed.pop(new["id"], None)
            self._move(new, None, _manager_id(new), counted=True)
            self._store(new)
            return nest(new)

    def depart(self, person_id: str, *, on: date | None = None) -> Person:
        """End a person's employment ``on`` (today); their reports move up a level.

        As in ChartHop, a departure dated in the future is only scheduled: the person stays among
        the active people, with ``endDateOrg`` set, until that day comes (see ``settle``).
        """
        with self.lock:
            person = self._require(person_id)
            if person_id not in self.people:
                raise KeyError(f"person {person_id!r} already departed; hire() brings them back")
            person["endDateOrg"] = (on or self.today()).isoformat()
            self._version += 1
            if not self._ended(person):
                return nest(person)
            self._leave(person)
            return nest(person)

    def settle(self) -> None:
        """Move the people whose scheduled end date has come to the departed."""
        with self.lock:
            for person in [p for p in self.people.values() if self._ended(p)]:
                self._leave(person)

    def _ended(self, person: Mapping[str, Any]) -> bool:
        end = person.get("endDateOrg")
        return isinstance(end, str) and bool(end) and date.fromisoformat(end[:10]) <= self.today()

    def _leave(self, person: Person) -> None:
        person_id = person["id"]
        manager = _manager_id(person)
        for report in self._reports_of(person_id):
            self.update_person(report["id"], {"manager.id": manager})
        self._move(person, manager, None, counted=True)
        del self.people[person_id]
        self.departed[person_id] = person
        self._version += 1

    def event(self, code: str, person_id: str, fields: Sequence[str] = ()) -> dict[str, Any]:
        """A ChartHop-shaped event about a person of this org, its payload the current record."""
        with self.lock:
            person = self._require(person_id)
            return make_event(
                code,
                person_id,
                fields,
                org_id=self.org_id,
                job_id=person.get("jobId"),
                payload=nest(person),
            )

    def _require(self, person_id: str) -> Person:
        person = self.find(person_id)
        if person is None:
            raise KeyError(f"no person {person_id!r} in the fake ChartHop of org {self.org!r}")
        return person

    def _store(self, person: Person) -> None:
        target = self.departed if person["id"] in self.departed else self.people
        target[person["id"]] = person
        self._version += 1

    def _move(self, person: Person, old: str | None, new: str | None, *, counted: bool) -> None:
        """Point ``person`` at manager ``new`` (None: none); ``counted`` fixes reports counts."""
        if new is not None and new not in self.people:
            raise KeyError(f"manager {new!r} of person {person['id']!r} is not an active person")
        person.pop("manager", None)
        if new is not None:
            person["manager"] = manager_ref(self.people[new])
        if not counted:
            return
        if old is not None and old in self.people:
            self.people[old]["directReports"] = max(0, self.people[old]["directReports"] - 1)
        if new is not None:
            self.people[new]["directReports"] = self.people[new].get("directReports", 0) + 1

    def _reports_of(self, person_id: str) -> list[Person]:
        return [p for p in self.people.values() if _manager_id(p) == person_id]

    def _refresh_reports(self, person_id: str) -> None:
        manager = self.people.get(person_id)
        if manager is None:
            return
        for report in self._reports_of(person_id):
            report["manager"] = manager_ref(manager)


def _manager_id(person: Mapping[str, Any]) -> str | None:
    manager = person.get("manager")
    value = manager.get("id") if isinstance(manager, Mapping) else manager
    return value if isinstance(value, str) and value else None


def _email(person: Mapping[str, Any]) -> str | None:
    contact = person.get("contact")
    return contact.get("workEmail") if isinstance(contact, Mapping) else None
