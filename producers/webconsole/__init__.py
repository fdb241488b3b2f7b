"""The browser console: the seed's settings page, served by hopsync (`hopsync console`).

A producer: it reads configuration and Redis and starts runs through ``producers.resync``; it never
imports the workers. Pages are rendered on the server (Jinja2) with a few lines of plain
JavaScript for the live parts; every asset is served by hopsync itself.
"""
