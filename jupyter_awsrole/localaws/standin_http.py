"""What the local AWS's HTTP stand-ins share: a handler that logs no request line and answers in one piece, served on
a thread of its own."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


class QuietHandler(BaseHTTPRequestHandler):
    """A stand-in's request handler: request lines may hold credentials, so none is logged."""

    always: ClassVar[dict[str, str]] = {}  # headers every answer carries

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes | str, content_type: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in {**self.always, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload), "application/json", headers)


def serve(handler: type[QuietHandler], host: str, port: int, name: str) -> ThreadingHTTPServer:
    """Serve `handler` on host:port (0: a free port) from a daemon thread named `name`."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server
