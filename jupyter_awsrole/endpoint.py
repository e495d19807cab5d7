"""The kernel's credential endpoint: a loopback server speaking the container-credentials protocol (ECS's).

One server per kernel on 127.0.0.1 and a random port, one random token per kernel, one opaque path per
role (the profile with its options). A path serves its role's current credentials and renews them on
demand, without a code, when 15 minutes or less are left (botocore fetches before every request under
10). Requests never take the manager's lock; a renewal runs in the requesting thread, outside every
lock but the path's own, so concurrent requests for one path share it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .credentials import RoleState
from .mfa import MfaSource
from .options import Options

FRESH_SECONDS = 15 * 60  # botocore's advisory refresh window: serve more than this whenever we can
RETRY_SECONDS = 30.0  # a path does not call STS again sooner than this while what it has is still valid
MIN_VALID_SECONDS = 5.0  # credentials closer than this to expiry are not served

ENV_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
ENV_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
ENV_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"

Renew = Callable[["Served"], RoleState]


@dataclass(eq=False)
class Served:
    """One path: the role it serves, how to renew it, and the lock its renewals share."""

    profile: str
    options: Options
    source: MfaSource
    baseline: Mapping[str, str] = field(repr=False)
    state: RoleState
    renew: Renew = field(repr=False)
    last_attempt: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def current(self, now: float | None = None) -> RoleState | None:
        """What this path answers now: fresh credentials, renewed if needed and possible, else what is still valid."""
        state = self.state
        if state.seconds_left() > FRESH_SECONDS:
            return state
        # One renewal per path: while it runs, the other requests serve what is still valid, or wait for it.
        if not self.lock.acquire(blocking=state.seconds_left() <= MIN_VALID_SECONDS):
            return state
        try:
            state = self.state
            if state.seconds_left() > FRESH_SECONDS:
                return state
            now = time.monotonic() if now is None else now
            if now - self.last_attempt >= RETRY_SECONDS or state.seconds_left() <= MIN_VALID_SECONDS:
                self.last_attempt = now
                try:
                    state = self.state = self.renew(self)
                except Exception:  # anything a renewal raises: serve what is still valid
                    state = self.state
        finally:
            self.lock.release()
        return state if state.seconds_left() > MIN_VALID_SECONDS else None


def answer(state: RoleState) -> bytes:
    """The container-credentials JSON for a state."""
    creds = state.credentials
    return json.dumps(
        {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token or "",
            "Expiration": state.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ).encode()


class Endpoint:
    """The server, its token (variable and 0600 file) and its paths; started by start(), stopped by stop()."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(32)
        self._key = secrets.token_bytes(32)  # makes paths unguessable from a profile name
        self._paths: dict[str, Served] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._folder: str | None = None
        self.token_file = ""
        self.port = 0

    def __repr__(self) -> str:
        return f"Endpoint(port={self.port}, paths={len(self._paths)})"

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> Endpoint:
        """Bind 127.0.0.1 on a random port, write the token file, serve from a daemon thread (idempotent)."""
        with self._lock:
            if self._server is not None:
                return self
            folder = tempfile.mkdtemp(prefix="jupyter-awsrole-")
            os.chmod(folder, 0o700)
            path = os.path.join(folder, "token")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, self.token.encode())
            finally:
                os.close(fd)
            server = _Server(("127.0.0.1", 0), _Handler)
            server.endpoint = self
            self._folder, self.token_file, self._server = folder, path, server
            self.port = server.server_address[1]
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.5}, name="jupyter-awsrole-endpoint", daemon=True
            )
            self._thread.start()
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop serving, close the port, remove the token file and its folder."""
        with self._lock:
            server, folder = self._server, self._folder
            self._server = self._folder = None
            self._paths.clear()
        if server is not None:
            server.shutdown()
            server.server_close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- paths -----------------------------------------------------------------------

    def path_for(self, profile: str, options: Options) -> str:
        """The role's path: the same for a profile with the same options, across renewals and `--refresh`."""
        key: list[object] = [profile, options.region, options.duration, options.session_name, options.external_id]
        key += [options.policy, options.policy_arns, options.tags, options.source_identity]  # narrowed apart
        digest = hmac.new(self._key, json.dumps(key).encode(), hashlib.sha256).hexdigest()
        return "/role/" + digest[:32]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def register(
        self,
        state: RoleState,
        options: Options,
        source: MfaSource,
        baseline: Mapping[str, str],
        renew: Renew,
    ) -> str:
        """Serve `state` at its path (updating the path's role in place if it is served already)."""
        path = self.path_for(state.profile, options)
        with self._lock:
            served = self._paths.get(path)
            if served is None:
                self._paths[path] = Served(state.profile, options, source, dict(baseline), state, renew)
            else:
                served.state, served.source, served.baseline, served.renew = state, source, dict(baseline), renew
        return path

    def unregister_all(self) -> None:
        """Stop serving every path: clients made earlier fail at their next refresh."""
        with self._lock:
            self._paths.clear()

    def served(self, path: str) -> Served | None:
        with self._lock:
            return self._paths.get(path)

    def environment(self, path: str) -> dict[str, str]:
        """The variables that point a process at one path."""
        return {ENV_URI: self.url(path), ENV_TOKEN: self.token, ENV_TOKEN_FILE: self.token_file}

    def authorized(self, header: str | None) -> bool | None:
        """None without a token, else whether it is the kernel's (compared in constant time)."""
        if header is None:
            return None
        return hmac.compare_digest(header.encode("utf-8", "surrogateescape"), self.token.encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64
    endpoint: Endpoint


class _Handler(BaseHTTPRequestHandler):
    """GET <path> with `Authorization: <token>`: 401 without it, 403 when wrong, 404 for an unknown path."""

    server: _Server
    timeout = 5  # a connection that sends nothing is dropped
    server_version = "jupyter-awsrole"
    sys_version = ""
    # Keep-alive: botocore's and aiobotocore's pooled connections skip a connect and a thread start per GET.
    # One buffered write per answer and no Nagle, or a keep-alive client waits out a delayed ACK (~40 ms).
    protocol_version = "HTTP/1.1"
    wbufsize = -1
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        endpoint = self.server.endpoint
        allowed = endpoint.authorized(self.headers.get("Authorization"))
        if not allowed:  # a caller without the token gets no connection to keep
            return self._empty(401 if allowed is None else 403, close=True)
        served = endpoint.served(self.path.split("?", 1)[0])
        if served is None:
            return self._empty(404)
        try:
            state = served.current()
        except Exception:
            return self._empty(500)
        if state is None:
            return self._empty(404)
        body = answer(state)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _empty(self, status: int, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        if close:
            self.send_header("Connection", "close")  # send_header also ends the connection after this answer
        self.end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests and other methods: the status alone, no page."""
        with contextlib.suppress(Exception):
            self._empty(code, close=True)

    def do_HEAD(self) -> None:
        self._empty(405, close=True)  # a body we never read must not be taken for the next request

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing is logged: not the requests, not the errors."""


_endpoint: Endpoint | None = None
_endpoint_lock = threading.Lock()


def get_endpoint() -> Endpoint:
    """The kernel's endpoint, started on first use."""
    global _endpoint
    with _endpoint_lock:
        if _endpoint is None:
            _endpoint = Endpoint()
        return _endpoint.start()


def existing_endpoint() -> Endpoint | None:
    """The endpoint if one was started (unset must not start one)."""
    return _endpoint
