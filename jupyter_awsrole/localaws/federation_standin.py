"""A loopback stand-in for AWS's federation endpoint (signin.aws.amazon.com/federation), which moto does not have.

`getSigninToken` trades a role session's credentials for a sign-in token after the local AWS has confirmed them
(GetCallerIdentity over HTTP, signed with them), with AWS's rules: no long-term keys, no GetSessionToken
credentials, no SessionDuration for GetFederationToken's, an hour at most for a role chain. `login` takes a token
once within 15 minutes and answers a page naming the account and role, where AWS would open its console.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar

from .standin_http import QuietHandler, serve

TOKEN_SECONDS = 900  # a sign-in token works once, within 15 minutes
MIN_SESSION, MAX_SESSION, CHAINED_MAX = 900, 43200, 3600


@dataclass(frozen=True)
class Identity:
    """Who a set of session credentials is, as the local AWS says."""

    arn: str
    chained: bool  # a role session assumed with temporary credentials

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def kind(self) -> str:
        resource = self.arn.split(":", 5)[5]
        return resource.split("/", 1)[0]  # assumed-role / federated-user / user / root

    @property
    def name(self) -> str:
        """The role (or federated user) the console would show."""
        return self.arn.split(":", 5)[5].split("/")[1]


Checker = Callable[[str, str, str], Identity]  # (access key id, secret, token) -> who; FederationError if invalid


class FederationError(Exception):
    """A refusal, answered with its HTTP status and a short text (never a credential)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Grant:
    """One issued sign-in token."""

    identity: Identity
    expires_at: float
    session_seconds: int | None
    used: bool = False


@dataclass
class State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    skew: float = 0.0  # seconds the stand-in's clock runs ahead (tests let 15 minutes pass at once)
    grants: dict[str, Grant] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    logins: list[dict[str, Any]] = field(default_factory=list)


class FederationStandIn:
    """The endpoint's behaviour, apart from HTTP."""

    def __init__(self, check: Checker) -> None:
        self.check = check
        self.state = State()

    def get_signin_token(self, params: dict[str, str]) -> dict[str, str]:
        try:
            session = json.loads(params.get("Session", ""))
            key, secret = str(session["sessionId"]), str(session["sessionKey"])
            token = str(session.get("sessionToken") or "")
        except (ValueError, KeyError, TypeError):
            raise FederationError(400, "Session is not the JSON of sessionId, sessionKey and sessionToken.") from None
        if not token:
            raise FederationError(400, "Long-term credentials cannot sign in to the console; use temporary ones.")
        duration = _duration(params.get("SessionDuration"))
        identity = self.check(key, secret, token)
        if identity.kind in ("user", "root"):
            raise FederationError(400, "Credentials from GetSessionToken cannot sign in to the console.")
        if identity.kind == "federated-user" and duration is not None:
            raise FederationError(400, "SessionDuration is not allowed with GetFederationToken credentials.")
        if identity.chained and duration is not None and duration > CHAINED_MAX:
            raise FederationError(400, "A role chain's console session is limited to one hour.")
        signin_token = secrets.token_urlsafe(48)
        with self.state.lock:
            self.state.grants[signin_token] = Grant(identity, self._now() + TOKEN_SECONDS, duration)
        return {"SigninToken": signin_token}

    def login(self, params: dict[str, str]) -> Grant:
        with self.state.lock:
            grant = self.state.grants.get(params.get("SigninToken", ""))
            if grant is None or grant.used or grant.expires_at < self._now():
                raise FederationError(400, "This sign-in link is unknown, used or expired.")
            grant.used = True
            self.state.logins.append(
                {
                    "arn": grant.identity.arn,
                    "destination": params.get("Destination", ""),
                    "issuer": params.get("Issuer", ""),
                    "session_seconds": grant.session_seconds,
                }
            )
        return grant

    def _now(self) -> float:
        return time.time() + self.state.skew

    def advance(self, seconds: float) -> float:
        """Let time pass for the stand-in (tokens expire); returns the total skew."""
        with self.state.lock:
            self.state.skew += seconds
            return self.state.skew

    def stats(self) -> dict[str, Any]:
        with self.state.lock:
            return {"calls": dict(self.state.calls), "logins": list(self.state.logins)}

    def reset(self) -> None:
        with self.state.lock:
            self.state.calls.clear()
            self.state.logins.clear()


def _duration(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        seconds = int(raw)
    except ValueError:
        raise FederationError(400, "SessionDuration is not a number.") from None
    if not MIN_SESSION <= seconds <= MAX_SESSION:
        raise FederationError(400, f"SessionDuration must be between {MIN_SESSION} and {MAX_SESSION}.")
    return seconds


def console_page(grant: Grant, destination: str) -> str:
    """Where AWS would open its console: a page that names who signed in (and no credential)."""
    who = grant.identity
    role, account, where = html.escape(who.name), html.escape(who.account), html.escape(destination)
    return (
        "<!doctype html><title>Local AWS console</title>"
        "<body style='font-family:sans-serif;max-width:36em;margin:3em auto'>"
        f"<main id='signed-in' data-account='{account}' data-role='{role}'>"
        f"<h2>Local AWS console</h2><p>Signed in as role <b>{role}</b> in account <b>{account}</b>.</p>"
        f"<p>AWS would now open <code>{where}</code>.</p></main></body>"
    )


class _Handler(QuietHandler):
    standin: FederationStandIn
    always: ClassVar[dict[str, str]] = {"Cache-Control": "no-store"}  # tokens and sign-in pages

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        self._route("GET", url.path, dict(urllib.parse.parse_qsl(url.query)))

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = dict(urllib.parse.parse_qsl(body)) if "urlencoded" in self.headers.get("Content-Type", "") else {}
        self._route("POST", url.path, {**dict(urllib.parse.parse_qsl(url.query)), **form})

    def _route(self, method: str, path: str, params: dict[str, str]) -> None:
        standin = self.standin
        if path == "/federation":
            action = params.get("Action", "")
            with standin.state.lock:
                standin.state.calls[action] += 1
            try:
                if action == "getSigninToken":
                    self._json(200, standin.get_signin_token(params))
                elif action == "login":
                    grant = standin.login(params)
                    self._send(200, console_page(grant, params.get("Destination", "")), "text/html; charset=utf-8")
                else:
                    raise FederationError(400, "Unknown Action.")
            except FederationError as exc:
                self._send(exc.status, str(exc), "text/plain; charset=utf-8")
        elif method == "GET" and path == "/standin/stats":
            self._json(200, standin.stats())
        elif method == "POST" and path == "/standin/advance":
            self._json(200, {"skew": standin.advance(float(params.get("seconds", "0")))})
        elif method == "POST" and path == "/standin/reset":
            standin.reset()
            self._json(200, {})
        else:
            self._send(404, "Not found", "text/plain; charset=utf-8")


def start(host: str, check: Checker, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve the stand-in on a thread of its own; returns the server and its federation URL."""
    handler = type("Handler", (_Handler,), {"standin": FederationStandIn(check)})
    server = serve(handler, host, port, "federation-standin")
    return server, f"http://{host}:{server.server_address[1]}/federation"


def local_checker(endpoint: str, chained: Callable[[str], bool]) -> Checker:
    """Confirms credentials with the local AWS at `endpoint` (GetCallerIdentity signed with them, over HTTP);
    `chained` tells whether a role session was assumed with temporary credentials."""
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=15)

    def check(key: str, secret: str, token: str) -> Identity:
        client = session.create_client(
            "sts",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=config,
        )
        try:
            arn = str(client.get_caller_identity()["Arn"])
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise FederationError(400, f"The local AWS refused these credentials ({code}).") from None
        except BotoCoreError:
            raise FederationError(503, "The local AWS did not answer.") from None
        return Identity(arn, chained(key))

    return check
