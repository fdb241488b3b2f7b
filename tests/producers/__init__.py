"""Tests of the producers: resync, live sync, the webhook receiver."""
