"""The fake Okta's directory: users, groups and memberships, with Okta's rules for changing them.

Failures raise shared.errors.OktaError carrying the status and errorCode Okta would answer; the
HTTP layer turns them into error bodies. Not thread-safe by itself: FakeOkta holds the lock.
"""

from __future__ import annotations

import bisect
import random
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from shared.errors import OktaError
from sim.okta.schema import check_attributes, validation_failed
from sim.okta.search import Predicate

_ID_CHARS: Final = string.ascii_letters + string.digits
EVERYONE: Final = "Everyone"
DUPLICATE_CAUSE: Final = "An object with this field already exists in the current organization"
ACTIVATABLE: Final = frozenset({"STAGED", "PROVISIONED", "DEPROVISIONED"})
STATUSES: Final = frozenset(
    {"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED",
     "DEPROVISIONED"}
)  # fmt: skip
# Lifecycle operation -> (the statuses it is allowed from, the status it leads to).
_LIFECYCLE: Final = {
    "activate": (ACTIVATABLE, "ACTIVE"),
    "reactivate": (frozenset({"PROVISIONED", "RECOVERY"}), "PROVISIONED"),
    "deactivate": (STATUSES - {"DEPROVISIONED"}, "DEPROVISIONED"),
    "suspend": (frozenset({"ACTIVE"}), "SUSPENDED"),
    "unsuspend": (frozenset({"SUSPENDED"}), "ACTIVE"),
}


@dataclass
class UserRecord:
    """One user as the fake stores it; timestamps are epoch seconds."""

    id: str
    seq: int
    status: str
    profile: dict[str, Any]
    created: float
    last_updated: float
    status_changed: float | None = None
    activated: float | None = None

    def flat(self) -> dict[str, Any]:
        """The attributes search and filter expressions can name."""
        record: dict[str, Any] = {f"profile.{k}": v for k, v in self.profile.items()}
        record.update(id=self.id, status=self.status)
        return record


@dataclass
class GroupRecord:
    """One group: OKTA_GROUP, APP_GROUP or BUILT_IN."""

    id: str
    seq: int
    type: str
    name: str
    description: str
    created: float
    last_updated: float
    last_membership_updated: float
    members: set[str] = field(default_factory=set)

    def flat(self) -> dict[str, Any]:
        """The attributes search and filter expressions can name."""
        return {
            "id": self.id,
            "type": self.type,
            "profile.name": self.name,
            "profile.description": self.description,
        }


def not_found(kind: str, key: str) -> OktaError:
    """Okta's 404 E0000007 answer."""
    return OktaError(
        status=404,
        error_code="E0000007",
        error_summary=f"Not found: Resource not found: {key} ({kind})",
    )


def forbidden(code: str, summary: str) -> OktaError:
    """A 403 answer: E0000006 (access denied) or E0000038 (not allowed in this status)."""
    return OktaError(status=403, error_code=code, error_summary=summary)


def _not_in_status(user: UserRecord) -> OktaError:
    return forbidden(
        "E0000038", f"This operation is not allowed in the user's current status: {user.status}"
    )


def _lifecycle_refused(user: UserRecord, action: str) -> OktaError:
    """Okta's refusal of ``action`` for a user in its current status."""
    if action == "activate":
        return forbidden("E0000016", "Activation failed because the user is already active")
    if action == "deactivate":
        return not_found("User", user.id)
    if action in ("suspend", "unsuspend"):
        return validation_failed(action, [f"Cannot {action} a user that is {user.status}"])
    return _not_in_status(user)


class Directory:
    """Users, groups and memberships of one fake Okta org."""

    def __init__(self, now: Callable[[], float], seed: int = 0) -> None:
        self._now = now
        self._rng = random.Random(seed)
        self._seq = 0
        self.users: dict[str, UserRecord] = {}
        self.groups: dict[str, GroupRecord] = {}
        # Users are never removed, so creation order is append order: pages start by bisection
        # instead of a scan of the whole directory (a scan per page is quadratic over a listing).
        self._user_order: list[UserRecord] = []
        self._membership_changes = 0
        self._sorted_members: dict[str, tuple[int, list[UserRecord]]] = {}
        self.custom_attributes: set[str] = set()
        self._logins: dict[str, str] = {}
        self.everyone = self.create_group(EVERYONE, "All users in your organization", "BUILT_IN")

    def _new_id(self, prefix: str) -> str:
        return prefix + "".join(self._rng.choice(_ID_CHARS) for _ in range(17))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # --- users -----------------------------------------------------------------------------

    def find_user(self, id_or_login: str) -> UserRecord:
        """The user with this id, or this login in any case; 404 E0000007 otherwise."""
        user_id = id_or_login if id_or_login in self.users else None
        user_id = user_id or self._logins.get(id_or_login.casefold())
        if user_id is None:
            raise not_found("User", id_or_login)
        return self.users[user_id]

    def _claim_login(self, login: str, user_id: str) -> None:
        owner = self._logins.get(login.casefold())
        if owner is not None and owner != user_id:
            raise validation_failed("login", [f"login: {DUPLICATE_CAUSE}"])

    def create_user(
        self, profile: Mapping[str, Any], *, activate: bool, group_ids: Sequence[str] = ()
    ) -> UserRecord:
        """A new user, ACTIVE when ``activate`` else STAGED, added to ``group_ids``."""
        check_attributes(profile, self.custom_attributes, complete=True)
        login = str(profile["login"])
        self._claim_login(login, "")
        groups = [self._writable_group(group_id) for group_id in group_ids]
        now = self._now()
        status = "ACTIVE" if activate else "STAGED"
        user = UserRecord(
            id=self._new_id("00u"),
            seq=self._next_seq(),
            status=status,
            profile={k: v for k, v in profile.items() if v is not None},
            created=now,
            last_updated=now,
            status_changed=now if activate else None,
            activated=now if activate else None,
        )
        self.users[user.id] = user
        self._user_order.append(user)
        self._logins[login.casefold()] = user.id
        for group in groups:
            self._join(group, user.id)
        return user

    def update_user(
        self, id_or_login: str, profile: Mapping[str, Any], *, replace: bool
    ) -> UserRecord:
        """Apply a partial update (POST) or a full replacement (PUT) of a user's profile."""
        user = self.find_user(id_or_login)
        if user.status == "DEPROVISIONED":
            raise _not_in_status(user)
        check_attributes(profile, self.custom_attributes, complete=False)
        merged = {} if replace else dict(user.profile)
        for name, value in profile.items():
            if value is None:  # null clears; check_attributes refused it for non-nullable ones
                merged.pop(name, None)
            else:
                merged[name] = value
        check_attributes(merged, self.custom_attributes, complete=True)
        self._claim_login(str(merged["login"]), user.id)
        self._logins.pop(str(user.profile.get("login", "")).casefold(), None)
        self._logins[str(merged["login"]).casefold()] = user.id
        user.profile = merged
        user.last_updated = self._now()
        return user

    def set_status(self, user: UserRecord, status: str) -> None:
        """Move a user to ``status`` now."""
        now = self._now()
        if status == "ACTIVE" and user.activated is None:
            user.activated = now
        user.status = status
        user.status_changed = now
        user.last_updated = now

    def lifecycle(self, id_or_login: str, action: str) -> UserRecord:
        """Apply a lifecycle operation, from the statuses Okta allows it in (its spec's prose).

        activate: STAGED, PROVISIONED or DEPROVISIONED (403 E0000016 otherwise); reactivate:
        PROVISIONED or RECOVERY (403 E0000038); deactivate: any but DEPROVISIONED (404 E0000007,
        as Okta answers in practice); suspend: ACTIVE; unsuspend: SUSPENDED (400 E0000001).
        The fake has no passwords: an activated user is ACTIVE at once.
        """
        user = self.find_user(id_or_login)
        step = _LIFECYCLE.get(action)
        if step is None:
            raise not_found("Lifecycle operation", action)
        allowed, target = step
        if user.status not in allowed:
            raise _lifecycle_refused(user, action)
        self.set_status(user, target)
        return user

    def delete_user(self, id_or_login: str) -> UserRecord | None:
        """DELETE a user: one not yet DEPROVISIONED is only deactivated (a second call deletes).

        Returns the user when it was deactivated, None when it was deleted for good.
        """
        user = self.find_user(id_or_login)
        if user.status != "DEPROVISIONED":
            self.set_status(user, "DEPROVISIONED")
            return user
        del self.users[user.id]
        self._user_order.remove(user)
        self._logins.pop(str(user.profile.get("login", "")).casefold(), None)
        for group in self.groups.values():
            if user.id in group.members:
                group.members.discard(user.id)
                self._membership_changes += 1
        return None

    def list_users(
        self, predicate: Predicate | None, *, include_deprovisioned: bool, after: int | None = None
    ) -> Iterator[UserRecord]:
        """Users in creation order, after sequence number ``after``, lazily.

        DEPROVISIONED ones only with a search or filter.
        """
        for user in _after(self._user_order, after):
            if user.status == "DEPROVISIONED" and not include_deprovisioned:
                continue
            if predicate is None or predicate(user.flat()):
                yield user

    # --- groups ----------------------------------------------------------------------------

    def create_group(
        self, name: str, description: str = "", group_type: str = "OKTA_GROUP"
    ) -> GroupRecord:
        """A new group; an OKTA_GROUP's name must be unique among OKTA_GROUPs."""
        if not name.strip():
            raise validation_failed("group", ["name: The field cannot be left blank"])
        if group_type == "OKTA_GROUP" and any(
            g.type == "OKTA_GROUP" and g.name == name for g in self.groups.values()
        ):
            raise validation_failed("name", ["name: An object with this field already exists"])
        now = self._now()
        group = GroupRecord(
            id=self._new_id("00g"),
            seq=self._next_seq(),
            type=group_type,
            name=name,
            description=description,
            created=now,
            last_updated=now,
            last_membership_updated=now,
        )
        self.groups[group.id] = group
        return group

    def find_group(self, group_id: str) -> GroupRecord:
        """The group with this id; 404 E0000007 otherwise."""
        group = self.groups.get(group_id)
        if group is None:
            raise not_found("UserGroup", group_id)
        return group

    def _writable_group(self, group_id: str) -> GroupRecord:
        group = self.find_group(group_id)
        if group.type != "OKTA_GROUP":
            raise forbidden(
                "E0000006",
                f"You do not have permission to perform the requested action: "
                f"{group.type} group {group.name} is managed outside the API",
            )
        return group

    def list_groups(self, predicate: Predicate | None) -> list[GroupRecord]:
        """Groups in creation order, those matching ``predicate``."""
        groups = sorted(self.groups.values(), key=lambda g: g.seq)
        return [g for g in groups if predicate is None or predicate(g.flat())]

    def member_ids(self, group: GroupRecord) -> Iterable[str]:
        """Ids of a group's members; Everyone holds every user."""
        return self.users.keys() if group.id == self.everyone.id else group.members

    def group_members(self, group_id: str, after: int | None = None) -> list[UserRecord]:
        """A group's members in creation order, after sequence number ``after``."""
        group = self.find_group(group_id)
        cached = self._sorted_members.get(group.id)
        if group.id == self.everyone.id:
            members = self._user_order
        elif cached is not None and cached[0] == self._membership_changes:
            members = cached[1]
        else:
            members = sorted((self.users[uid] for uid in group.members), key=lambda u: u.seq)
            self._sorted_members[group.id] = (self._membership_changes, members)
        return members[_start_after(members, after) :]

    def user_groups(self, id_or_login: str) -> list[GroupRecord]:
        """The groups a user belongs to, Everyone first."""
        user = self.find_user(id_or_login)
        groups = [g for g in self.list_groups(None) if user.id in g.members]
        return [self.everyone, *groups]

    def _join(self, group: GroupRecord, user_id: str) -> None:
        if user_id not in group.members:
            group.members.add(user_id)
            group.last_membership_updated = self._now()
            self._membership_changes += 1

    def add_member(self, group_id: str, user_id: str, *, via_api: bool = True) -> None:
        """Add a member; through the API only OKTA_GROUPs change (seeding may fill others)."""
        group = self._writable_group(group_id) if via_api else self.find_group(group_id)
        user = self.find_user(user_id)
        self._join(group, user.id)

    def remove_member(self, group_id: str, user_id: str) -> None:
        """Remove a member of an OKTA_GROUP (no error when not a member)."""
        group = self._writable_group(group_id)
        user = self.find_user(user_id)
        if user.id in group.members:
            group.members.discard(user.id)
            group.last_membership_updated = self._now()
            self._membership_changes += 1


def _start_after(records: Sequence[UserRecord], after: int | None) -> int:
    return 0 if after is None else bisect.bisect_right(records, after, key=lambda r: r.seq)


def _after(records: Sequence[UserRecord], after: int | None) -> Iterator[UserRecord]:
    return (records[i] for i in range(_start_after(records, after), len(records)))
