"""The module Dramatiq's worker processes import (`hopsync worker` runs `dramatiq workers.entry`).

It reads the active configuration version from Redis (saving $HOPSYNC_CONFIG, else hopsync.yaml,
as version 1 when Redis has none) and the secrets from the environment. Metrics are
served unless `hopsync worker --metrics-port 0` turned them off (``dramatiq_prom_port=0``).
"""

from __future__ import annotations

import os

from config.loader import Secrets
from shared.errors import ConfigError
from shared.infra.active_config import resolve_config, service_author
from shared.infra.logging import configure_logging
from shared.infra.preflight import env_findings
from shared.infra.redis_client import connect_redis
from workers.setup import setup_worker

# Started directly (`dramatiq workers.entry`, not `hopsync worker`), a HOPSYNC_REDIS_URL that
# differs from REDIS_URL is refused here as every hopsync command refuses it: that name is an
# easy guess, and the worker would otherwise serve another Redis without a word.
_unread = env_findings(os.environ)
if _unread:
    raise ConfigError([(f.path, f.message) for f in _unread], source="environment")

_client = connect_redis(Secrets.from_env(os.environ).redis_url)
_loaded = resolve_config(_client, explicit=None, author=service_author("worker"))
_client.close()
configure_logging(_loaded.secrets.values())
_metrics_off = os.environ.get("dramatiq_prom_port") == "0"  # noqa: SIM112 (Dramatiq's name)
broker, runtime = setup_worker(_loaded, prometheus=not _metrics_off)
