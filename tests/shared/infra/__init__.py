"""Tests of the infrastructure (shared/infra/)."""
