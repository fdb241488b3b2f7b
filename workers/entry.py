"""The module Dramatiq's worker processes import (`hopsync worker` runs `dramatiq workers.entry`).

It reads the configuration from $HOPSYNC_CONFIG and the secrets from the environment.
"""

from __future__ import annotations

from config.loader import load_config
from shared.logging import configure_logging
from workers.setup import setup_worker

_loaded = load_config()
configure_logging(_loaded.secrets.values())
broker, runtime = setup_worker(_loaded, prometheus=True)
