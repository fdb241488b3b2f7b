"""Operator commands: dead letters and replay, run history, export of Okta users, query preview.

Each module exposes one click command or group for ``producers.cli.main.add_command``; wire them
by module (``from producers.ops.dlq import dlq``), since the CLI imports them while it loads.
"""

# The commands use the CLI's helpers and the CLI adds the commands as it loads: load it first, so
# that whichever module is imported first, the CLI is complete before the commands need it.
import producers.cli  # noqa: F401
from producers.ops.dlq import dlq
from producers.ops.durations import Duration, parse_duration
from producers.ops.export import export
from producers.ops.query import query
from producers.ops.replay import ReplayPlan, Skipped, plan_replay
from producers.ops.runs import runs

__all__ = [
    "Duration",
    "ReplayPlan",
    "Skipped",
    "dlq",
    "export",
    "parse_duration",
    "plan_replay",
    "query",
    "runs",
]
