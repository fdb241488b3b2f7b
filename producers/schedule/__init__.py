"""The scheduler: the daily resync and the new-hire starts at their wall-clock times, run by one
scheduler at a time (a Redis lock), and the janitor it runs every minute so every run ends.
"""
