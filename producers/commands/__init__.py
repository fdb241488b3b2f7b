"""Operator commands: run history, dead letters and replay, export, query preview."""

from producers.commands.dlq import dlq
from producers.commands.export import export
from producers.commands.query import query
from producers.commands.runs import runs

__all__ = ["dlq", "export", "query", "runs"]
