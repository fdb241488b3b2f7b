"""The configuration the console works on: the active one, as the services run with it."""

from __future__ import annotations

from dataclasses import dataclass

from config.loader import LoadedConfig
from producers.webconsole.state import ConsoleState


@dataclass(frozen=True)
class Current:
    """The active configuration (with the environment's secrets) and its version number."""

    loaded: LoadedConfig
    version: int | None


def current(state: ConsoleState) -> Current:
    """The active configuration."""
    return Current(loaded=state.loaded, version=None)
