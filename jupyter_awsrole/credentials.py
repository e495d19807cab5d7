"""Value objects for temporary credentials and the role they belong to; reprs never show secrets."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import AwsRoleError

# No STS session lives longer than GetSessionToken's 36 hours; a later expiry is a corrupt value.
MAX_LIFETIME = _dt.timedelta(hours=48)
MAX_FIELD_LENGTH = 16384  # far above any real key or token, far below what an environment can hold


class MalformedCredentials(AwsRoleError):
    """STS or a cache file gave credentials of the wrong shape; the message names fields, never values."""


def utcnow() -> _dt.datetime:
    """The one clock of the package, so tests can reason about expiry."""
    return _dt.datetime.now(_dt.timezone.utc)


def parse_expiration(value: Any) -> _dt.datetime:
    """Accept botocore datetimes, the ISO strings of cache files and epoch numbers; anything else is ValueError."""
    try:
        result = _parse_time(value)
        if result.tzinfo is None:
            result = result.replace(tzinfo=_dt.timezone.utc)
        return result.astimezone(_dt.timezone.utc)
    except ValueError:
        raise
    except Exception:  # OverflowError, OSError and botocore's own errors for absurd dates
        raise ValueError("unreadable expiration") from None


def _parse_time(value: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError("unreadable expiration")
        return _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise ValueError("unreadable expiration")
    text = value.strip()
    try:
        return _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        if text.isdigit():  # botocore would read it as epoch seconds; no cache writes that
            raise
        from botocore.utils import parse_timestamp  # the AWS CLI writes "...UTC" into its cache files

        return parse_timestamp(text)


def checked_text(data: Mapping[str, Any], name: str) -> str:
    """A field that must be a non-empty string without spaces or control characters, of a sane length."""
    value = data.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_FIELD_LENGTH:
        raise MalformedCredentials(f"{name} is not a non-empty string.")
    if not value.isprintable() or " " in value:  # the only whitespace isprintable() lets through
        raise MalformedCredentials(f"{name} holds spaces or control characters.")
    return value


def checked_expiration(value: Any, now: _dt.datetime | None = None) -> _dt.datetime:
    """An expiry that parses and lies no further ahead than any STS session can."""
    try:
        expiration = parse_expiration(value)
    except ValueError:
        raise MalformedCredentials("Expiration is not a date.") from None
    if expiration - (now or utcnow()) > MAX_LIFETIME:
        raise MalformedCredentials("Expiration is further ahead than any STS session lasts.")
    return expiration


@dataclass(frozen=True)
class Credentials:
    """AWS credentials; only the access key id's last four characters ever show."""

    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expiration: _dt.datetime | None = None

    def __repr__(self) -> str:
        expiry = self.expiration.isoformat() if self.expiration else "never"
        return f"Credentials(access_key_id='****', expires={expiry})"

    __str__ = __repr__

    def seconds_left(self, now: _dt.datetime | None = None) -> float:
        """Time to expiry; infinite for long-term keys."""
        if self.expiration is None:
            return float("inf")
        return (self.expiration - (now or utcnow())).total_seconds()

    @classmethod
    def from_sts(cls, data: Any) -> Credentials:
        """Build from the `Credentials` member of an STS answer or a cache file; MalformedCredentials if odd."""
        if not isinstance(data, Mapping):
            raise MalformedCredentials("Credentials is not an object.")
        token = data.get("SessionToken")
        expiration = data.get("Expiration")
        return cls(
            access_key_id=checked_text(data, "AccessKeyId"),
            secret_access_key=checked_text(data, "SecretAccessKey"),
            session_token=None if token is None else checked_text(data, "SessionToken"),
            expiration=None if expiration is None else checked_expiration(expiration),
        )


@dataclass(frozen=True)
class RoleState:
    """What a kernel runs as: everything a front end may show, plus credentials kept out of reprs."""

    profile: str
    role_arn: str
    session_arn: str
    account: str
    region: str | None
    expiration: _dt.datetime
    credentials: Credentials = field(repr=False, compare=False)
    endpoint_url: str | None = None
    long_term: bool = False  # keys that never expire: `expiration` is when the kernel reads them again
    narrowing: str = ""  # what narrows the session (options.Options.narrowing), '' when nothing does

    @property
    def role_name(self) -> str:
        """The role's name, the last part of its ARN."""
        return self.role_arn.rsplit("/", 1)[-1]

    def seconds_left(self, now: _dt.datetime | None = None) -> float:
        """Time until these credentials stop working."""
        return (self.expiration - (now or utcnow())).total_seconds()

    def public(self) -> dict[str, Any]:
        """The state as JSON-ready data for widgets and the lab extension; never a secret."""
        return {
            "profile": self.profile,
            "role_arn": self.role_arn,
            "session_arn": self.session_arn,
            "account": self.account,
            "region": self.region,
            "expiration": self.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **({"long_term": True} if self.long_term else {}),
        }
