"""Live sync: the queue of people due a sync, the flusher that turns them into sync messages
of the period's live run, and the runner that starts the flusher (webhook child or alone).
"""
