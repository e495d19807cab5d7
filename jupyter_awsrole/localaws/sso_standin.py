"""A loopback stand-in for IAM Identity Center (sso-oidc and the SSO portal), which moto does not have.

It speaks their rest-json wire format (errors typed in `x-amzn-ErrorType`), so botocore's own clients talk to
it through `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO`. A sign-in is approved out of band, as a user
clicking Allow would: on its page (`/device`) or through its control API (`/standin/...`). Role credentials
are real ones of the local AWS: a broker user assumes the permission set's role there.
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
from typing import Any

from .account import ACCOUNT_ID, SSO_PERMISSION_SET, SSO_USER, role_arn, sso_role
from .standin_http import QuietHandler, serve

Minter = Callable[[str], dict[str, Any]]  # role ARN -> the STS Credentials of a session of it


@dataclass
class Device:
    """One device authorization waiting for, or past, the user's answer."""

    user_code: str
    client_id: str
    expires_at: float
    status: str = "pending"  # pending / approved / denied / used


@dataclass
class Settings:
    """What tests turn: polling interval, lifetimes, how many SlowDown answers to give next."""

    interval: int = 1
    device_seconds: int = 600
    token_seconds: int = 3600
    slow_down: int = 0


@dataclass
class State:
    """Everything the stand-in remembers; one lock guards it all."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    settings: Settings = field(default_factory=Settings)
    clients: dict[str, str] = field(default_factory=dict)  # client id -> secret
    devices: dict[str, Device] = field(default_factory=dict)  # device code -> device
    tokens: dict[str, float] = field(default_factory=dict)  # access token -> expiry
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> client id
    calls: Counter[str] = field(default_factory=Counter)
    polls: list[float] = field(default_factory=list)


class SsoError(Exception):
    """An answer in the service's error format."""

    def __init__(self, status: int, kind: str, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.kind, self.error, self.description = status, kind, error, description


def _secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(24)


def _user_code() -> str:
    letters = "BCDFGHJKLMNPQRSTVWXZ"
    return "".join(secrets.choice(letters) for _ in range(4)) + "-" + "".join(secrets.choice(letters) for _ in range(4))


class SsoStandIn:
    """The service's behaviour, apart from HTTP: one method per operation."""

    def __init__(self, base_url: str, mint: Minter) -> None:
        self.base_url = base_url
        self.mint = mint
        self.state = State()

    # -- sso-oidc ------------------------------------------------------------------------

    def register_client(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("clientType") != "public" or not body.get("clientName"):
            raise SsoError(400, "InvalidClientMetadataException", "invalid_client_metadata", "clientType public")
        client_id, client_secret = _secret("client-"), _secret("secret-")
        now = int(time.time())
        with self.state.lock:
            self.state.clients[client_id] = client_secret
        return {
            "clientId": client_id,
            "clientSecret": client_secret,
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": now + 90 * 86400,
        }

    def _client(self, body: dict[str, Any]) -> str:
        client_id = body.get("clientId", "")
        with self.state.lock:
            known = self.state.clients.get(client_id)
        if known is None or known != body.get("clientSecret"):
            raise SsoError(401, "InvalidClientException", "invalid_client", "Unknown client or wrong secret.")
        return str(client_id)

    def start_device_authorization(self, body: dict[str, Any]) -> dict[str, Any]:
        client_id = self._client(body)
        if not str(body.get("startUrl", "")).startswith("https://"):
            raise SsoError(400, "InvalidRequestException", "invalid_request", "startUrl is not a start URL.")
        device_code, user_code = _secret("device-"), _user_code()
        with self.state.lock:
            settings = self.state.settings
            self.state.devices[device_code] = Device(user_code, client_id, time.time() + settings.device_seconds)
            interval, lifetime = settings.interval, settings.device_seconds
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": f"{self.base_url}/device",
            "verificationUriComplete": f"{self.base_url}/device?user_code={user_code}",
            "expiresIn": lifetime,
            "interval": interval,
        }

    def create_token(self, body: dict[str, Any]) -> dict[str, Any]:
        client_id = self._client(body)
        grant = body.get("grantType")
        if grant == "refresh_token":
            with self.state.lock:
                owner = self.state.refresh_tokens.pop(str(body.get("refreshToken", "")), None)
            if owner != client_id:
                raise SsoError(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token.")
            return self._issue(client_id)
        if grant != "urn:ietf:params:oauth:grant-type:device_code":
            raise SsoError(400, "UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant.")
        with self.state.lock:
            self.state.polls.append(time.time())
            device = self.state.devices.get(str(body.get("deviceCode", "")))
            if device is None or device.client_id != client_id:
                raise SsoError(400, "InvalidGrantException", "invalid_grant", "Invalid device code.")
            if device.expires_at < time.time():
                raise SsoError(400, "ExpiredTokenException", "expired_token", "Device code has expired.")
            if self.state.settings.slow_down > 0:
                self.state.settings.slow_down -= 1
                raise SsoError(400, "SlowDownException", "slow_down", "Client is polling too fast.")
            if device.status == "denied":
                raise SsoError(400, "AccessDeniedException", "access_denied", "The user denied the sign-in.")
            if device.status != "approved":
                raise SsoError(400, "AuthorizationPendingException", "authorization_pending", "Not approved yet.")
            device.status = "used"
        return self._issue(client_id)

    def _issue(self, client_id: str) -> dict[str, Any]:
        access, refresh = _secret("access-"), _secret("refresh-")
        with self.state.lock:
            lifetime = self.state.settings.token_seconds
            self.state.tokens[access] = time.time() + lifetime
            self.state.refresh_tokens[refresh] = client_id
        return {"accessToken": access, "tokenType": "Bearer", "expiresIn": lifetime, "refreshToken": refresh}

    # -- the portal ----------------------------------------------------------------------

    def get_role_credentials(self, token: str, account_id: str, role_name: str) -> dict[str, Any]:
        with self.state.lock:
            expires = self.state.tokens.get(token, 0.0)
        if expires < time.time():
            raise SsoError(401, "UnauthorizedException", "unauthorized", "Session token not found or invalid")
        if account_id != ACCOUNT_ID or role_name != SSO_PERMISSION_SET:
            raise SsoError(403, "ForbiddenException", "forbidden", "No access")
        creds = self.mint(role_arn(sso_role(role_name)))
        expiration = creds["Expiration"]
        return {
            "roleCredentials": {
                "accessKeyId": creds["AccessKeyId"],
                "secretAccessKey": creds["SecretAccessKey"],
                "sessionToken": creds["SessionToken"],
                "expiration": int(expiration.timestamp() * 1000),
            }
        }

    # -- the user's answer and the test controls -------------------------------------------

    def answer(self, user_code: str, allow: bool) -> bool:
        """What clicking Allow (or Deny) on the device page does; False for an unknown or used code."""
        with self.state.lock:
            for device in self.state.devices.values():
                if device.user_code == user_code and device.status == "pending":
                    device.status = "approved" if allow else "denied"
                    return True
        return False

    def pending(self) -> list[str]:
        with self.state.lock:
            now = time.time()
            return [d.user_code for d in self.state.devices.values() if d.status == "pending" and d.expires_at > now]

    def configure(self, values: dict[str, Any]) -> dict[str, Any]:
        with self.state.lock:
            for name, value in values.items():
                if name in Settings.__dataclass_fields__:
                    setattr(self.state.settings, name, int(value))
            return dict(self.state.settings.__dict__)

    def expire_tokens(self) -> int:
        """Make every access token expired (refresh tokens stay valid), as time passing would."""
        with self.state.lock:
            for token in self.state.tokens:
                self.state.tokens[token] = 0.0
            return len(self.state.tokens)

    def stats(self) -> dict[str, Any]:
        with self.state.lock:
            return {"calls": dict(self.state.calls), "polls": list(self.state.polls)}

    def reset(self) -> None:
        """Forget stats, settings and unanswered sign-ins between tests (clients and tokens stay)."""
        with self.state.lock:
            self.state.devices = {k: d for k, d in self.state.devices.items() if d.status != "pending"}
            self.state.calls.clear()
            self.state.polls.clear()
            self.state.settings = Settings()


ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
}


def _page(user_code: str) -> str:
    code = html.escape(user_code)
    return (
        "<!doctype html><title>Local SSO: allow access</title>"
        "<body style='font-family:sans-serif;max-width:30em;margin:3em auto'>"
        "<h2>Allow jupyter-awsrole to access your data?</h2>"
        f"<p>Check that the code matches the one in your notebook: <b style='font-size:1.4em'>{code}</b></p>"
        f"<form method='post' action='/device/answer'><input type='hidden' name='user_code' value='{code}'>"
        "<button name='allow' value='1' style='font-size:1.1em'>Allow</button> "
        "<button name='allow' value='0'>Deny</button></form></body>"
    )


class _Handler(QuietHandler):
    standin: SsoStandIn

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        standin = self.standin
        operation = ROUTES.get((method, url.path))
        if operation is not None:
            with standin.state.lock:
                standin.state.calls[operation] += 1
            try:
                if operation == "GetRoleCredentials":
                    token = self.headers.get("x-amz-sso_bearer_token", "")
                    answer = standin.get_role_credentials(
                        token, query.get("account_id", ""), query.get("role_name", "")
                    )
                else:
                    body = json.loads(self._body() or b"{}")
                    answer = {
                        "RegisterClient": standin.register_client,
                        "StartDeviceAuthorization": standin.start_device_authorization,
                        "CreateToken": standin.create_token,
                    }[operation](body)
            except SsoError as exc:
                payload = {"error": exc.error, "error_description": exc.description, "message": exc.description}
                self._json(exc.status, payload, {"x-amzn-ErrorType": exc.kind})
                return
            self._json(200, answer)
            return
        self._control(method, url.path, query)

    def _control(self, method: str, path: str, query: dict[str, str]) -> None:
        standin = self.standin
        if method == "GET" and path == "/device":
            self._send(200, _page(query.get("user_code", "")).encode(), "text/html; charset=utf-8")
        elif method == "POST" and path == "/device/answer":
            form = dict(urllib.parse.parse_qsl(self._body().decode()))
            done = standin.answer(form.get("user_code", ""), form.get("allow") == "1")
            text = ("Done: you can close this page." if done else "That code is unknown or already answered.").encode()
            self._send(200 if done else 404, text, "text/plain; charset=utf-8")
        elif method == "GET" and path == "/standin/pending":
            self._json(200, {"pending": standin.pending()})
        elif method == "POST" and path in ("/standin/approve", "/standin/deny"):
            body = json.loads(self._body() or b"{}")
            self._json(200, {"done": standin.answer(str(body.get("user_code", "")), path.endswith("approve"))})
        elif method == "POST" and path == "/standin/config":
            self._json(200, standin.configure(json.loads(self._body() or b"{}")))
        elif method == "POST" and path == "/standin/expire-tokens":
            self._json(200, {"expired": standin.expire_tokens()})
        elif method == "GET" and path == "/standin/stats":
            self._json(200, standin.stats())
        elif method == "POST" and path == "/standin/reset":
            standin.reset()
            self._json(200, {})
        else:
            self._json(404, {"message": "Not found"}, {"x-amzn-ErrorType": "ResourceNotFoundException"})


def start(host: str, mint: Minter, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve the stand-in on a thread of its own; returns the server and its base URL."""
    handler = type("Handler", (_Handler,), {})
    server = serve(handler, host, port, "sso-standin")
    base = f"http://{host}:{server.server_address[1]}"
    handler.standin = SsoStandIn(base, mint)  # type: ignore[attr-defined]
    return server, base


def broker_minter(endpoint: str, access_key_id: str, secret_access_key: str) -> Minter:
    """Credentials of a permission set's role, minted by the broker user on the local AWS (IAM enforced)."""
    import boto3

    client = boto3.session.Session(
        aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key, region_name="us-east-1"
    ).client("sts", endpoint_url=endpoint)
    lock = threading.Lock()

    def mint(arn: str) -> dict[str, Any]:
        with lock:  # one client, calls one at a time (they take milliseconds)
            return client.assume_role(RoleArn=arn, RoleSessionName=SSO_USER, DurationSeconds=3600)["Credentials"]

    return mint
