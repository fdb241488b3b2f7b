"""The Redis keys the console keeps: accounts, sessions, sign-in attempts, audit, working copies."""

from __future__ import annotations

PREFIX = "hopsync:console"
ACCOUNTS = f"{PREFIX}:accounts"  # hash: name -> Account JSON
AUDIT = f"{PREFIX}:audit"  # list, newest first: AuditEntry JSON


def session_key(digest: str) -> str:
    """A session, stored under the SHA-256 of its cookie (a leaked dump holds no live cookie)."""
    return f"{PREFIX}:session:{digest}"


def attempts_key(kind: str, who: str) -> str:
    """Failed sign-ins counted per account name or per client address."""
    return f"{PREFIX}:signin-failures:{kind}:{who}"


def audit_subject_key(subject: str) -> str:
    """The audit entries about one thing (``run:ID``, ``version:7``, ``letter:ID``)."""
    return f"{PREFIX}:audit:{subject}"


def working_copy_key(account: str) -> str:
    """An account's unsaved settings (what Save Settings would save)."""
    return f"{PREFIX}:working:{account}"


def flash_key(account: str) -> str:
    """Messages shown once on the next page an account opens (after a change redirects)."""
    return f"{PREFIX}:flash:{account}"
