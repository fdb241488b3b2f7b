"""Each admin's unsaved settings: a working copy of the configuration, edited page by page.

Sync Groups, Profile Fields and Settings edit the working copy; Save Settings validates it and
saves it as a new version; Discard drops it. It remembers the version it was started from, so the
console can say when someone else saved a newer one meanwhile.
"""

from __future__ import annotations

from typing import Any, Final

import redis
from pydantic import BaseModel, ConfigDict

from config.diff import ConfigChange, diff_documents
from shared import constants
from shared.infra.config_store import ConfigVersion

TTL_S: Final = 14 * 86_400


class WorkingCopy(BaseModel):
    """The configuration document being edited and the version it started from."""

    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]
    base_version: int

    def changes(self, active: ConfigVersion) -> list[ConfigChange]:
        """What saving would change, compared with the active version."""
        return diff_documents(active.document, self.document)


class WorkingCopies:
    """Working copies in Redis, one per account."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def load(self, account: str, active: ConfigVersion) -> WorkingCopy:
        """The account's working copy; a fresh copy of the active version when it has none."""
        raw = self.client.get(constants.console_working_copy_key(account))
        if raw is not None:
            return WorkingCopy.model_validate_json(raw)
        return WorkingCopy(document=active.document, base_version=active.version)

    def keep(self, account: str, copy: WorkingCopy) -> None:
        """Store the account's edited copy."""
        self.client.set(
            constants.console_working_copy_key(account), copy.model_dump_json(), ex=TTL_S
        )

    def discard(self, account: str) -> None:
        """Drop the account's unsaved changes."""
        self.client.delete(constants.console_working_copy_key(account))
