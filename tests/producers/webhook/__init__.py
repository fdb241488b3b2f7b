"""Tests of the ChartHop webhook receiver."""
