"""Plain WSGI responses in the shapes AWS clients parse: STS XML errors and JSON."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

_STATUS_TEXT = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}


@dataclass
class Response:
    """A buffered HTTP response that can be sent through a WSGI start_response."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    def send(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{self.status} {_STATUS_TEXT.get(self.status, 'Status')}", headers)
        return [self.body]


def sts_error(status: int, code: str, message: str) -> Response:
    """An STS (query protocol) error document."""
    request_id = str(uuid.uuid4())
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return Response(status, body, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)])


def access_denied(message: str) -> Response:
    return sts_error(403, "AccessDenied", message)


def validation_error(message: str) -> Response:
    return sts_error(400, "ValidationError", message)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), [("Content-Type", "application/json")])


def call_buffered(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> Response:
    """Run a WSGI app and keep its whole answer, so it can be inspected or rewritten."""
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(int(captured["status"].split()[0]), b"".join(chunks), list(captured["headers"]))
