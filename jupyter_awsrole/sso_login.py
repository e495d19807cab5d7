"""IAM Identity Center sign-in from a kernel: the token `aws sso login` caches, its refresh, the device flow.

The token file is the AWS CLI's (`~/.aws/sso/cache/<sha1 of the sso-session name or the start URL>.json`, 0600,
the same fields), so the CLI, other kernels and later switches share one sign-in. A file lock beside it makes
two kernels that need a sign-in at once share one. Nothing here prints: a presenter shows the link and code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from .cache import private_dir, write_private
from .credentials import parse_expiration, utcnow
from .errors import AwsRoleError
from .profiles import SsoTarget
from .sts import Timeouts, client_session, quiet_botocore

# botocore refreshes a token in its last 15 minutes by itself; a token we hand it must outlive that window.
MIN_TOKEN_SECONDS = 15 * 60
LOCK_WAIT_SECONDS = 15 * 60  # a sign-in in another kernel lasts at most its device code's life (10 min)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_SECONDS = 5  # RFC 8628: slow_down adds 5 seconds to the polling interval
CLIENT_NAME = "jupyter-awsrole"


class SsoError(AwsRoleError):
    """An SSO sign-in failed or was refused; the message says what to do."""


class SsoLoginRequired(SsoError):
    """A sign-in is needed but nobody can be shown the link (a background renewal)."""


@dataclass(frozen=True)
class LoginPrompt:
    """What a user needs to approve a sign-in: the link (with the code in it) and the code to compare."""

    profile: str
    start_url: str
    verification_uri: str
    verification_uri_complete: str
    user_code: str
    expires_at: datetime.datetime

    def seconds_left(self) -> float:
        return (self.expires_at - utcnow()).total_seconds()

    def public(self) -> dict[str, Any]:
        """JSON-ready, for the picker and the lab extension (the user code is meant to be shown)."""
        return {**dataclasses.asdict(self), "expires_at": _iso(self.expires_at)}


class LoginPresenter(Protocol):
    """Shows a sign-in to the user: the prompt, a countdown while waiting, one line at the end."""

    def show(self, prompt: LoginPrompt) -> None: ...

    def tick(self, prompt: LoginPrompt) -> None: ...

    def finish(self, prompt: LoginPrompt | None, outcome: str, ok: bool) -> None: ...


def token_dir() -> str:
    """Where `aws sso login` keeps tokens (HOME read now, as botocore read it when it was imported)."""
    return os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))


def token_path(sso: SsoTarget) -> str:
    """The token file of an sso-session (or of a legacy start URL), named as botocore and the CLI name it."""
    return os.path.join(token_dir(), hashlib.sha1(sso.token_name.encode()).hexdigest() + ".json")


def read_token(sso: SsoTarget) -> dict[str, Any] | None:
    """The cached token, or None when missing or unreadable."""
    try:
        with open(token_path(sso), "rb") as handle:
            token = json.loads(handle.read(1 << 20))
        parse_expiration(token["expiresAt"])
        return token if isinstance(token.get("accessToken"), str) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def seconds_left(token: dict[str, Any] | None, key: str = "expiresAt") -> float:
    """How long a token (or its client registration, key='registrationExpiresAt') has left; -inf if unknown."""
    try:
        return (parse_expiration(token[key]) - utcnow()).total_seconds()  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return float("-inf")


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_token(sso: SsoTarget, token: dict[str, Any]) -> None:
    """Write the token file as `aws sso login` does: the CLI's fields, 0600, atomically."""
    folder = token_dir()
    private_dir(folder)
    write_private(token_path(sso), json.dumps(token))


def ensure_token(sso: SsoTarget, profile: str, presenter: LoginPresenter | None, timeouts: Timeouts) -> None:
    """Make sure the token file holds a token with time to live: cached, refreshed, or from a sign-in."""
    if seconds_left(read_token(sso)) >= MIN_TOKEN_SECONDS:
        return
    with _signing_in(sso):
        token = read_token(sso)  # another kernel may have signed in while this one waited
        if seconds_left(token) >= MIN_TOKEN_SECONDS:
            return
        client = _oidc_client(sso, timeouts)
        if token and _refresh(client, sso, token):
            return
        if presenter is None:
            raise SsoLoginRequired(
                f"Profile '{profile}' needs an SSO sign-in ({sso.start_url}): run %awsrole {profile} in a cell."
            )
        _device_login(client, sso, profile, presenter, token)


@contextlib.contextmanager
def _signing_in(sso: SsoTarget) -> Iterator[None]:
    """One sign-in per token at a time across kernels: an exclusive lock on a file beside the token."""
    folder = token_dir()
    private_dir(folder)
    with open(token_path(sso)[: -len(".json")] + ".lock", "a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SsoError(f"Another sign-in to {sso.start_url} has not ended; try again.") from None
                time.sleep(0.2)  # polled, so an interrupt ends the wait
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _oidc_client(sso: SsoTarget, timeouts: Timeouts) -> Any:
    """botocore's sso-oidc client (AWS_ENDPOINT_URL_SSO_OIDC applies), unsigned as the API wants."""
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        signature_version=UNSIGNED,
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"total_max_attempts": timeouts.attempts, "mode": "standard"},
        user_agent_extra=CLIENT_NAME,
    )
    return client_session().create_client("sso-oidc", region_name=sso.region, config=config)


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str((response.get("Error") or {}).get("Code", "")) if isinstance(response, dict) else ""


def _call(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """One sso-oidc call, kept out of botocore's debug log (its bodies hold tokens and secrets)."""
    with quiet_botocore():
        return getattr(client, operation)(**kwargs)


def _failed(exc: BaseException, what: str, sso: SsoTarget) -> SsoError:
    from botocore import exceptions as bx

    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return SsoError(f"Cannot reach the SSO service for {sso.start_url} ({what}). Check the network.")
    code = _code(exc) or type(exc).__name__
    return SsoError(f"{what} for {sso.start_url} failed: {code}.")


def _saved(sso: SsoTarget, answer: dict[str, Any], registration: dict[str, Any]) -> None:
    token = {
        "startUrl": sso.start_url,
        "region": sso.region,
        "accessToken": answer["accessToken"],
        "expiresAt": _iso(utcnow() + datetime.timedelta(seconds=int(answer["expiresIn"]))),
        **registration,
    }
    if answer.get("refreshToken"):
        token["refreshToken"] = answer["refreshToken"]
    write_token(sso, token)


def _registration(token: dict[str, Any] | None) -> dict[str, Any] | None:
    """The client registration cached with the token, while it is valid."""
    if not token or seconds_left(token, "registrationExpiresAt") <= 60:
        return None
    if not isinstance(token.get("clientId"), str) or not isinstance(token.get("clientSecret"), str):
        return None
    return {k: token[k] for k in ("clientId", "clientSecret", "registrationExpiresAt")}


def _refresh(client: Any, sso: SsoTarget, token: dict[str, Any]) -> bool:
    """A new access token from the refresh token, silently; False when there is none or it is refused."""
    registration = _registration(token)
    if registration is None or not isinstance(token.get("refreshToken"), str):
        return False
    try:
        answer = _call(
            client,
            "create_token",
            grantType="refresh_token",
            clientId=registration["clientId"],
            clientSecret=registration["clientSecret"],
            refreshToken=token["refreshToken"],
        )
    except Exception:  # an expired or revoked refresh token: a sign-in follows
        return False
    _saved(sso, answer, registration)
    return True


def _register(client: Any, sso: SsoTarget) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"clientName": CLIENT_NAME, "clientType": "public"}
    if sso.session_name:
        kwargs["scopes"] = list(sso.scopes) or ["sso:account:access"]
    try:
        answer = _call(client, "register_client", **kwargs)
    except Exception as exc:
        raise _failed(exc, "Registering the sign-in client", sso) from None
    expires = datetime.datetime.fromtimestamp(int(answer["clientSecretExpiresAt"]), datetime.timezone.utc)
    return {
        "clientId": answer["clientId"],
        "clientSecret": answer["clientSecret"],
        "registrationExpiresAt": _iso(expires),
    }


def _device_login(
    client: Any, sso: SsoTarget, profile: str, presenter: LoginPresenter, token: dict[str, Any] | None
) -> None:
    """RFC 8628's device flow: show the link and code, poll at the interval asked, save the token."""
    registration = _registration(token) or _register(client, sso)
    secrets = {"clientId": registration["clientId"], "clientSecret": registration["clientSecret"]}
    try:
        auth = _call(client, "start_device_authorization", startUrl=sso.start_url, **secrets)
    except Exception as exc:
        raise _failed(exc, "Starting the sign-in", sso) from None
    prompt = LoginPrompt(
        profile=profile,
        start_url=sso.start_url,
        verification_uri=auth["verificationUri"],
        verification_uri_complete=auth.get("verificationUriComplete") or auth["verificationUri"],
        user_code=auth["userCode"],
        expires_at=utcnow() + datetime.timedelta(seconds=int(auth["expiresIn"])),
    )
    presenter.show(prompt)
    interval = max(1, int(auth.get("interval") or 5))
    try:
        answer = _poll(client, sso, prompt, presenter, interval, auth["deviceCode"], secrets)
    except KeyboardInterrupt:
        presenter.finish(prompt, "Sign-in interrupted; nothing was changed.", False)
        raise
    except SsoError as exc:
        presenter.finish(prompt, str(exc), False)
        raise
    _saved(sso, answer, registration)
    presenter.finish(prompt, f"Signed in to {sso.start_url}.", True)


def _poll(
    client: Any,
    sso: SsoTarget,
    prompt: LoginPrompt,
    presenter: LoginPresenter,
    interval: int,
    device_code: str,
    secrets: dict[str, str],
) -> dict[str, Any]:
    grace = 30.0  # the service says when the code expired; the local clock only stops a service that never does
    while True:
        _wait(interval, prompt, presenter)
        try:
            return _call(client, "create_token", grantType=DEVICE_GRANT, deviceCode=device_code, **secrets)
        except Exception as exc:
            code = _code(exc)
            if code == "AuthorizationPendingException":
                pass
            elif code == "SlowDownException":
                interval += SLOW_DOWN_SECONDS
            elif code == "ExpiredTokenException":
                raise SsoError(
                    f"The sign-in code for {sso.start_url} expired before it was approved; run again."
                ) from None
            elif code == "AccessDeniedException":
                raise SsoError(f"The sign-in to {sso.start_url} was denied; nothing was changed.") from None
            else:
                raise _failed(exc, "Signing in", sso) from None
        if prompt.seconds_left() < -grace:
            raise SsoError(f"The sign-in code for {sso.start_url} expired before it was approved; run again.")


def _wait(seconds: float, prompt: LoginPrompt, presenter: LoginPresenter) -> None:
    """Sleep between polls, ticking the countdown once a second; an interrupt lands here."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(1.0, left))
        presenter.tick(prompt)
