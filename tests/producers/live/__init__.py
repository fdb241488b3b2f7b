"""Tests of live sync: the queue, the flusher, live runs."""
