"""The pure core: the diff that decides what should change, without Redis or the network.

Models, rules, matching people to Okta users, the plan for one person, triage, summaries,
safety limits, leavers. Nothing here opens a connection; tests/layers.py keeps it so.
"""
