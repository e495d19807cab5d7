"""STS clients with bounded timeouts, and botocore errors turned into one-line messages."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .credentials import Credentials
from .errors import AwsRoleError, MfaError, StsError


@dataclass(frozen=True)
class Timeouts:
    """Bounds on one STS call: botocore's defaults (60 s reads, legacy retries) can hang for minutes."""

    connect: float = 5
    read: float = 15
    attempts: int = 3


_session_lock = threading.Lock()
_session: Any = None


def _botocore_session() -> Any:
    """One botocore session for every STS client, so service data loads once per kernel."""
    global _session
    with _session_lock:
        if _session is None:
            import botocore.session

            # Client creation must not depend on whatever AWS_PROFILE says at that moment.
            _session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        return _session


def sts_endpoint(profile_endpoint: str | None, environ: Mapping[str, str]) -> str | None:
    """STS goes to the endpoint of the profile being assumed, then to the AWS_ENDPOINT_URL* variables."""
    return profile_endpoint or environ.get("AWS_ENDPOINT_URL_STS") or environ.get("AWS_ENDPOINT_URL") or None


def sts_region(profile_region: str | None, environ: Mapping[str, str]) -> str:
    """The region an STS call is signed for."""
    return profile_region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _PooledClient:
    """One STS client per endpoint, region and timeouts: building a client and a connection per call
    costs more than the call itself, so the credentials it signs with are swapped in under a lock."""

    def __init__(self, region: str, endpoint_url: str | None, timeouts: Timeouts) -> None:
        import botocore.session
        from botocore.config import Config

        session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        session.register_component("data_loader", _botocore_session().get_component("data_loader"))
        session.set_credentials("unset", "unset")
        config = Config(
            connect_timeout=timeouts.connect,
            read_timeout=timeouts.read,
            retries={"max_attempts": timeouts.attempts, "mode": "standard"},
            user_agent_extra="jupyter-awsrole",
        )
        self.client = session.create_client("sts", region_name=region, endpoint_url=endpoint_url, config=config)
        self.credentials = session.get_credentials()  # the very object the client signs with
        self.lock = threading.Lock()


_pool: dict[tuple, _PooledClient] = {}
_pool_lock = threading.Lock()


@contextlib.contextmanager
def sts_client(
    credentials: Credentials, region: str, endpoint_url: str | None, timeouts: Timeouts = Timeouts()
) -> Iterator[Any]:
    """A botocore STS client signing with exactly `credentials`; it never resolves credentials itself."""
    key = (region, endpoint_url, timeouts)
    with _pool_lock:
        pooled = _pool.get(key)
        if pooled is None:
            pooled = _pool[key] = _PooledClient(region, endpoint_url, timeouts)
    with pooled.lock:
        signing = pooled.credentials
        signing.access_key = credentials.access_key_id
        signing.secret_key = credentials.secret_access_key
        signing.token = credentials.session_token
        try:
            yield pooled.client
        finally:
            signing.access_key = signing.secret_key = "unset"
            signing.token = None


def is_mfa_failure(exc: BaseException) -> bool:
    """Whether STS refused the MFA code itself (as opposed to the role or the caller)."""
    code, message = _error_parts(exc)
    return code == "AccessDenied" and "MultiFactorAuthentication" in message


def _error_parts(exc: BaseException) -> tuple[str, str]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def translate(
    exc: BaseException, action: str, profile: str, endpoint: str | None, timeouts: Timeouts = Timeouts()
) -> AwsRoleError:
    """A one-line, actionable message for a failed STS call; secrets are never part of it."""
    from botocore import exceptions as bx

    where = endpoint or "the default STS endpoint"
    if isinstance(exc, AwsRoleError):
        return exc
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
        return StsError(f"Cannot reach STS at {where} for profile '{profile}'. Check the network or endpoint_url.")
    if isinstance(exc, bx.ReadTimeoutError):
        return StsError(f"STS at {where} did not answer in {timeouts.read:g} s for profile '{profile}'. Try again.")
    if isinstance(exc, bx.ClientError):
        code, message = _error_parts(exc)
        message = message.rstrip(".")
        if is_mfa_failure(exc):
            return MfaError(f"Wrong MFA code for profile '{profile}': STS said: {message}.")
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded"):
            return StsError(f"STS is throttling requests for profile '{profile}'; wait a moment and try again.")
        if code in ("ExpiredToken", "ExpiredTokenException"):
            return StsError(
                f"The source credentials of profile '{profile}' have expired ({code}); renew them and try again."
            )
        if code in ("InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException"):
            return StsError(f"The source credentials of profile '{profile}' are not valid ({code}).")
        if code == "AccessDenied":
            return StsError(f"Access denied: {action} for profile '{profile}': {message}.")
        return StsError(f"{action} failed for profile '{profile}': {code}: {message}.")
    if isinstance(exc, bx.NoCredentialsError):
        return StsError(f"No source credentials found for profile '{profile}'.")
    if isinstance(exc, bx.BotoCoreError):
        return StsError(f"{action} failed for profile '{profile}': {type(exc).__name__}: {exc}")
    return StsError(f"{action} failed for profile '{profile}': {type(exc).__name__}.")
