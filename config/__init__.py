"""hopsync's configuration: the YAML file's models, and the loader that lists every problem."""

from config.loader import (
    CONFIG_ENV,
    DEFAULT_PATH,
    LoadedConfig,
    Secrets,
    config_path,
    load_config,
    parse_config,
)
from config.settings import (
    ChartHopConfig,
    GroupConfig,
    HopsyncConfig,
    MatchConfig,
    OktaConfig,
    SafetyConfig,
    SettingsConfig,
    SmtpConfig,
    WorkerConfig,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_PATH",
    "ChartHopConfig",
    "GroupConfig",
    "HopsyncConfig",
    "LoadedConfig",
    "MatchConfig",
    "OktaConfig",
    "SafetyConfig",
    "Secrets",
    "SettingsConfig",
    "SmtpConfig",
    "WorkerConfig",
    "config_path",
    "load_config",
    "parse_config",
]
