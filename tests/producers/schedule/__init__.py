"""Tests of the scheduler: its times, lock, wake-ups, process, and the janitor it runs."""
