"""What the editing pages share: the active version, the account's working copy, its rules."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from config.loader import parse_config
from producers.webconsole.current import Current, current
from producers.webconsole.guard import account_of
from producers.webconsole.state import STATE
from producers.webconsole.working import WorkingCopies, WorkingCopy
from shared.errors import ConfigError
from shared.rules import Rules


@dataclass
class Editing:
    """One request's view of the settings: the active version and the account's working copy."""

    account: str
    active: Current
    copy: WorkingCopy
    copies: WorkingCopies

    @classmethod
    def of(cls, request: web.Request) -> Editing:
        """The editing state of the signed-in account."""
        state = request.app[STATE]
        active = current(state)
        copies = WorkingCopies(state.stores.client)
        name = account_of(request).name
        return cls(name, active, copies.load(name, active.version), copies)

    def keep(self) -> None:
        """Store the edited working copy."""
        self.copies.keep(self.account, self.copy)

    def unsaved(self) -> int:
        """How many settings differ from the active version."""
        return len(self.copy.changes(self.active.version))

    def rules(self) -> Rules:
        """The working copy's rules when it is valid as a whole, else the active version's."""
        try:
            return Rules.build(parse_config(self.copy.document))
        except ConfigError:
            return Rules.build(self.active.loaded.config)
