"""Infrastructure: Redis and Dramatiq, the stores of runs, dead letters and configurations,
the API clients' assembly, notifications, metrics and logging.

Built on the libraries and the pure core (shared/core/), never the other way round.
"""
