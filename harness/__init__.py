"""Orchestration above the simulators: ``harness.world`` starts a whole simulated world (fake
ChartHop and Okta, a configuration pointing at them, worker processes) for the demo, the tests
and the benchmarks. It sits above ``sim``, which only simulates, and below the entry points.
"""
