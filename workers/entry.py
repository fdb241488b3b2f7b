"""The module Dramatiq's worker processes import (`hopsync worker` runs `dramatiq workers.entry`).

It reads the configuration from $HOPSYNC_CONFIG and the secrets from the environment. Metrics are
served unless `hopsync worker --metrics-port 0` turned them off (``dramatiq_prom_port=0``).
"""

from __future__ import annotations

import os

from config.loader import load_config
from shared.logging import configure_logging
from workers.setup import setup_worker

_loaded = load_config()
configure_logging(_loaded.secrets.values())
_metrics_off = os.environ.get("dramatiq_prom_port") == "0"  # noqa: SIM112 (Dramatiq's name)
broker, runtime = setup_worker(_loaded, prometheus=not _metrics_off)
