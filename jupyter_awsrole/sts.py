"""STS clients with bounded timeouts, and botocore errors turned into one-line messages."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .compat import swap_signing_credentials
from .credentials import Credentials
from .errors import AwsRoleError, MfaError, StsError
from .settings import default


@dataclass(frozen=True)
class Timeouts:
    """Bounds on one STS call: botocore's defaults (60 s reads, legacy retries) can hang for minutes."""

    connect: float = default("sts_connect_timeout")
    read: float = default("sts_read_timeout")
    attempts: int = default("sts_max_attempts")


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


def client_session() -> Any:
    """A botocore session of no profile that shares the kernel's loaded service data (clients cost less)."""
    import botocore.session

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session.register_component("data_loader", _botocore_session().get_component("data_loader"))
    return session


def sts_endpoint(profile_endpoint: str | None, environ: Mapping[str, str]) -> str | None:
    """STS goes to the endpoint of the profile being assumed, then to the AWS_ENDPOINT_URL* variables."""
    return profile_endpoint or environ.get("AWS_ENDPOINT_URL_STS") or environ.get("AWS_ENDPOINT_URL") or None


def sts_region(profile_region: str | None, environ: Mapping[str, str]) -> str:
    """The region an STS call is signed for."""
    return profile_region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _PooledClient:
    """An STS client kept per endpoint, region and timeouts: building a client and a connection per call
    costs more than the call itself, so the credentials it signs with are swapped in for each call."""

    def __init__(self, region: str, endpoint_url: str | None, timeouts: Timeouts) -> None:
        from botocore.config import Config

        session = client_session()
        session.set_credentials("unset", "unset")
        config = Config(
            connect_timeout=timeouts.connect,
            read_timeout=timeouts.read,
            # botocore's "max_attempts" counts retries; "total_max_attempts" counts calls, as the setting does.
            retries={"total_max_attempts": timeouts.attempts, "mode": "standard"},
            user_agent_extra="jupyter-awsrole",
        )
        self.client = session.create_client("sts", region_name=region, endpoint_url=endpoint_url, config=config)
        self.credentials = session.get_credentials()  # the very object the client signs with


_pool: dict[tuple, list[_PooledClient]] = {}
_pool_lock = threading.Lock()
MAX_IDLE = 4  # clients kept per endpoint; more exist only while calls overlap (a hung renewal and a switch)


def _borrow(key: tuple) -> _PooledClient | None:
    with _pool_lock:
        idle = _pool.get(key)
        return idle.pop() if idle else None


def _give_back(key: tuple, pooled: _PooledClient) -> None:
    with _pool_lock:
        idle = _pool.setdefault(key, [])
        if len(idle) < MAX_IDLE:
            idle.append(pooled)


@contextlib.contextmanager
def sts_client(
    credentials: Credentials, region: str, endpoint_url: str | None, timeouts: Timeouts = Timeouts()
) -> Iterator[Any]:
    """A botocore STS client signing with exactly `credentials`; it never resolves credentials itself.

    Each call has a client to itself, so a call hanging on STS never holds up another one."""
    key = (region, endpoint_url, timeouts)
    pooled = _borrow(key) or _PooledClient(region, endpoint_url, timeouts)
    swap_signing_credentials(
        pooled.credentials, credentials.access_key_id, credentials.secret_access_key, credentials.session_token
    )
    completed = False
    try:
        with quiet_botocore():
            yield pooled.client
        completed = True
    except Exception:
        completed = True  # an STS error leaves the client usable; an interrupt may not
        raise
    finally:
        swap_signing_credentials(pooled.credentials, "unset", "unset", None)
        if completed:
            _give_back(key, pooled)


# -- our own calls stay out of botocore's debug log -----------------------------------------

_QUIET_LOGGERS = ("botocore", "urllib3")
_quiet = threading.local()


class _OwnCallsFilter(logging.Filter):
    """Drops records made on a thread while one of our own STS calls runs there: with DEBUG logging
    botocore logs request and response bodies (MFA codes, secrets, tokens). Other threads, and so a
    user's own clients, log as configured."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_quiet, "depth", 0)


_filter = _OwnCallsFilter()
_covered = -1


def _cover_loggers() -> None:
    """A logger's filters see only the records it makes itself, so every botocore logger needs one."""
    global _covered
    loggers = logging.Logger.manager.loggerDict
    if len(loggers) == _covered:
        return
    for name, logger in list(loggers.items()):
        if not isinstance(logger, logging.Logger) or name.split(".", 1)[0] not in _QUIET_LOGGERS:
            continue
        if _filter not in logger.filters:
            logger.addFilter(_filter)
    _covered = len(loggers)


@contextlib.contextmanager
def quiet_botocore() -> Iterator[None]:
    """While inside, botocore and urllib3 log nothing from this thread."""
    _cover_loggers()
    _quiet.depth = getattr(_quiet, "depth", 0) + 1
    try:
        yield
    finally:
        _quiet.depth -= 1


def is_mfa_failure(exc: BaseException) -> bool:
    """Whether STS refused the MFA code itself (as opposed to the role or the caller)."""
    code, message = _error_parts(exc)
    return code == "AccessDenied" and "MultiFactorAuthentication" in message


def _error_parts(exc: BaseException) -> tuple[str, str]:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def translate(
    exc: BaseException,
    action: str,
    profile: str,
    endpoint: str | None,
    timeouts: Timeouts = Timeouts(),
    device: str | None = None,
) -> AwsRoleError:
    """A one-line, actionable message for a failed STS call; secrets are never part of it.

    `profile` is the one the user chose (not a hop of its chain); `device` the MFA serial a code was for."""
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
            on = f" (MFA device {device})" if device else ""
            return MfaError(f"Wrong MFA code for profile '{profile}'{on}: STS said: {message}.")
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
