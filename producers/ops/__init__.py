"""Operator commands: dead letters and replay, run history and approval of held runs, export of
Okta users, query preview; and how a run shows on a terminal (``terminal``: progress, summary).

Each module exposes one click command or group that ``producers.cli`` adds to its group; the
commands take their shared helpers from ``producers.cli_helpers``, never from the CLI itself.
"""

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
