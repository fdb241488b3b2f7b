"""An embedded Redis (fakeredis) served on a local TCP port, for the demo and the tests.

Both need the same thing when no real Redis answers: a server other processes and threads can
reach by URL (Dramatiq workers, the CLI under test), not only an in-process fake client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import fakeredis

__all__ = ["serving"]


@contextmanager
def serving(server: fakeredis.FakeServer | None = None) -> Iterator[str]:
    """Serve ``server`` (a new one when None) on a free local port; yields its URL (database 0).

    The listener stops when the block ends; the data stays in ``server`` for its other clients.
    """
    tcp = fakeredis.TcpFakeServer(("127.0.0.1", 0), server_type="redis")
    if server is not None:
        tcp.fake_server = server  # clients over TCP see the same data as in-process ones
    thread = threading.Thread(target=tcp.serve_forever, daemon=True)
    thread.start()
    host, port = tcp.server_address[:2]
    try:
        yield f"redis://{host!s}:{port}/0"
    finally:
        tcp.shutdown()
        tcp.server_close()
