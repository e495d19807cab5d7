"""Talking to the servers we start on 127.0.0.1: a free port, and requests that never go through a proxy."""

from __future__ import annotations

import socket
import urllib.request

# A proxy from the environment (HTTP_PROXY without NO_PROXY for 127.0.0.1) must not see loopback calls.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
