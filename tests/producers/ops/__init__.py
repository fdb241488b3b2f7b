"""Tests of the operator commands: dead letters and replay, runs, export and query."""
