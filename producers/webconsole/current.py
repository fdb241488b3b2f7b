"""The configuration the console works on: the active version in the configuration store.

When Redis holds no version yet, the console saves its configuration file as version 1, as every
hopsync service does when it starts on an empty Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from config.loader import LoadedConfig
from producers.webconsole.state import ConsoleState
from shared.infra.config_store import ConfigVersion


@dataclass(frozen=True)
class Current:
    """The active configuration (with the environment's secrets) and its version."""

    loaded: LoadedConfig
    version: ConfigVersion


def current(state: ConsoleState) -> Current:
    """The active configuration version, saving the file as version 1 when none is saved."""
    store = state.config_store
    number = store.active_number()
    if number is None:
        version, _ = store.bootstrap(state.loaded.config, author="console", source="file")
        number = version.version
    version = store.get(number)
    # The version is pinned by the runs a producer on ``loaded`` starts (Producer.of).
    loaded = replace(state.loaded, config=store.config(number), version=number, draft=False)
    return Current(loaded=loaded, version=version)
