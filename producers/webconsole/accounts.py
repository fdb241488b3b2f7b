"""Console accounts: a name, a role and an argon2id password hash, kept in Redis.

Roles are ordered: a viewer reads; an operator also starts runs, replays letters and approves held
runs; an admin also edits settings and accounts. Passwords are hashed with argon2id (memory-hard),
so a copy of Redis does not give away the passwords.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from typing import Final, Literal

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict

from shared import constants
from shared.errors import HopsyncError

Role = Literal["viewer", "operator", "admin"]
ROLES: Final[tuple[Role, ...]] = ("viewer", "operator", "admin")
MIN_PASSWORD: Final = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified when a name is unknown, so that a wrong name takes as long as a wrong password."""
    return _HASHER.hash("not a password of anyone")


class AccountError(HopsyncError):
    """Raised when an account cannot be created or changed; says why and what to do."""


class Account(BaseModel):
    """One console account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    role: Role
    password_hash: str
    created_at: datetime


def role_allows(role: Role, needed: Role) -> bool:
    """Whether an account of ``role`` may do what needs ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def check_new_account(name: str, password: str) -> None:
    """Raise AccountError when a name or password cannot be used."""
    if not _NAME.match(name):
        raise AccountError(
            f"account name {name!r} is not usable: 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters long")


class AccountStore:
    """Accounts in a Redis hash."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def add(self, name: str, password: str, role: Role, *, replace: bool = False) -> Account:
        """Create an account (or, with ``replace``, reset its password and role)."""
        check_new_account(name, password)
        account = Account(
            name=name, role=role, password_hash=_HASHER.hash(password), created_at=_now()
        )
        if replace:
            self.client.hset(constants.CONSOLE_ACCOUNTS, name, account.model_dump_json())
        elif not self.client.hsetnx(constants.CONSOLE_ACCOUNTS, name, account.model_dump_json()):
            raise AccountError(
                f"account {name!r} already exists; pass --replace to reset its password and role"
            )
        return account

    def get(self, name: str) -> Account | None:
        """An account by name, or None."""
        raw = self.client.hget(constants.CONSOLE_ACCOUNTS, name)
        return Account.model_validate_json(raw) if raw is not None else None

    def all(self) -> list[Account]:
        """Every account, by name."""
        raw = self.client.hvals(constants.CONSOLE_ACCOUNTS)
        return sorted((Account.model_validate_json(v) for v in raw), key=lambda a: a.name)

    def set_role(self, name: str, role: Role) -> Account:
        """Change an account's role."""
        account = self.get(name)
        if account is None:
            raise AccountError(f"no account {name!r}")
        changed = account.model_copy(update={"role": role})
        self.client.hset(constants.CONSOLE_ACCOUNTS, name, changed.model_dump_json())
        return changed

    def remove(self, name: str) -> bool:
        """Delete an account; False when there was none."""
        return bool(self.client.hdel(constants.CONSOLE_ACCOUNTS, name))

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right, else None (in about the same time)."""
        account = self.get(name)
        try:
            _HASHER.verify(account.password_hash if account else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        return account


def _now() -> datetime:
    return datetime.now(UTC)
