"""FakeOkta: one fake Okta org's state, seeding API, fault knobs and counters, behind one lock.

The server thread serves requests while the test thread seeds, turns knobs and reads counters;
every public method takes the lock, and reads return copies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shared.okta.models import OktaGroup, OktaUser
from sim.okta.counters import FakeCounters
from sim.okta.directory import Directory
from sim.okta.faults import Faults, Storm, StormKind
from sim.okta.limits import RateWindows
from sim.okta.serialize import group_json, user_json
from sim.okta.settings import FakeOktaSettings

SEED_ORIGIN = "https://fake-okta.invalid"  # links in objects handed back by the seeding API


class FakeOkta:
    """A fake Okta org: users, groups, memberships, profile schema, limits, faults, counters."""

    def __init__(
        self,
        settings: FakeOktaSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        **overrides: Any,
    ) -> None:
        base = settings or FakeOktaSettings()
        self.settings = base.model_copy(update=overrides) if overrides else base
        self.lock = threading.RLock()
        self.clock = clock
        self.directory = Directory(clock, self.settings.seed)
        self.windows = RateWindows(self.settings)
        self.faults = Faults(self.settings.seed)
        self.stats = FakeCounters()
        self.in_flight = 0

    def __repr__(self) -> str:
        return f"FakeOkta(users={len(self.directory.users)}, groups={len(self.directory.groups)})"

    # --- seeding ---------------------------------------------------------------------------

    def declare_attribute(self, *names: str) -> None:
        """Add custom attributes to the user profile schema."""
        with self.lock:
            self.directory.custom_attributes.update(names)

    def add_user(
        self, profile: Mapping[str, Any], status: str = "ACTIVE", group_ids: Iterable[str] = ()
    ) -> OktaUser:
        """Seed a user in ``status`` (validated like a create) and its memberships."""
        with self.lock:
            user = self.directory.create_user(profile, activate=status == "ACTIVE")
            if status not in ("ACTIVE", "STAGED"):
                self.directory.set_status(user, status)
            for group_id in group_ids:
                self.directory.add_member(group_id, user.id, via_api=False)
            return OktaUser.model_validate(user_json(user, SEED_ORIGIN))

    def add_group(self, name: str, type: str = "OKTA_GROUP", description: str = "") -> OktaGroup:
        """Seed a group of ``type`` (OKTA_GROUP or APP_GROUP)."""
        with self.lock:
            group = self.directory.create_group(name, description, type)
            return OktaGroup.model_validate(group_json(group, SEED_ORIGIN))

    def add_member(self, group_id: str, user_id: str) -> None:
        """Seed a membership, in any group type."""
        with self.lock:
            self.directory.add_member(group_id, user_id, via_api=False)

    def admin_lifecycle(self, id_or_login: str, action: str) -> OktaUser:
        """Change a user's status as an admin in Okta's console would (not counted as a call)."""
        with self.lock:
            user = self.directory.lifecycle(id_or_login, action)
            return OktaUser.model_validate(user_json(user, SEED_ORIGIN))

    # --- reading state ---------------------------------------------------------------------

    def user(self, id_or_login: str) -> OktaUser:
        """One user by id or login; raises OktaNotFoundError-like OktaError when missing."""
        with self.lock:
            return OktaUser.model_validate(
                user_json(self.directory.find_user(id_or_login), SEED_ORIGIN)
            )

    def users(self) -> list[OktaUser]:
        """Every user, DEPROVISIONED included, in creation order."""
        with self.lock:
            records = list(self.directory.list_users(None, include_deprovisioned=True))
            return [OktaUser.model_validate(user_json(u, SEED_ORIGIN)) for u in records]

    def users_by_login(self) -> dict[str, OktaUser]:
        """Every user keyed by login as stored."""
        return {user.login: user for user in self.users()}

    def groups(self) -> list[OktaGroup]:
        """Every group, Everyone included, in creation order."""
        with self.lock:
            records = self.directory.list_groups(None)
            return [OktaGroup.model_validate(group_json(g, SEED_ORIGIN)) for g in records]

    def groups_by_name(self) -> dict[str, OktaGroup]:
        """Every group keyed by name."""
        return {group.name: group for group in self.groups()}

    def members(self, group_id: str) -> list[OktaUser]:
        """A group's members in creation order."""
        with self.lock:
            records = self.directory.group_members(group_id)
            return [OktaUser.model_validate(user_json(u, SEED_ORIGIN)) for u in records]

    def member_logins(self, group_id: str) -> set[str]:
        """The logins of a group's members."""
        return {user.login for user in self.members(group_id)}

    # --- fault knobs -----------------------------------------------------------------------

    def set_error_rate(self, rate: float, status: int = 500) -> None:
        """Answer a share ``rate`` of requests with ``status`` (seeded RNG) before serving them."""
        with self.lock:
            self.faults.error_rate = rate
            self.faults.error_status = status

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` without serving them."""
        with self.lock:
            self.faults.forced_errors = count
            self.faults.forced_error_status = status

    def set_latency(self, seconds: float) -> None:
        """Add ``seconds`` to every answer (while the request counts as in flight)."""
        with self.lock:
            self.faults.latency_s = seconds

    def start_storm(
        self,
        kind: StormKind,
        *,
        requests: int | None = None,
        seconds: float | None = None,
        bucket: str | None = None,
    ) -> None:
        """Answer 429s of ``kind`` for the next ``requests`` requests or for ``seconds``."""
        if requests is None and seconds is None:
            raise ValueError("start_storm needs requests=N or seconds=T, or it would never end")
        with self.lock:
            until = self.clock() + seconds if seconds is not None else None
            self.faults.storms.append(Storm(kind, requests, until, bucket))

    def drop_create_answers(self, count: int = 1) -> None:
        """Apply the next ``count`` user creates, then drop the connection without answering."""
        with self.lock:
            self.faults.drop_create_answers = count

    # --- counters --------------------------------------------------------------------------

    def counters(self) -> FakeCounters:
        """A consistent copy of the counters."""
        with self.lock:
            return self.stats.copy()

    def reset_counters(self) -> None:
        """Zero every counter (state, limits and faults stay)."""
        with self.lock:
            self.stats = FakeCounters()
