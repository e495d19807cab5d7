"""Value objects for temporary credentials and the role they belong to; reprs never show secrets."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any


def utcnow() -> _dt.datetime:
    """The one clock of the package, so tests can reason about expiry."""
    return _dt.datetime.now(_dt.timezone.utc)


def parse_expiration(value: Any) -> _dt.datetime:
    """Accept botocore datetimes and the ISO strings found in cache files."""
    if isinstance(value, _dt.datetime):
        result = value
    else:
        text = str(value).strip()
        try:
            result = _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            from botocore.utils import parse_timestamp  # the AWS CLI writes "...UTC" into its cache files

            result = parse_timestamp(text)
    if result.tzinfo is None:
        result = result.replace(tzinfo=_dt.timezone.utc)
    return result.astimezone(_dt.timezone.utc)


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
    def from_sts(cls, data: dict[str, Any]) -> "Credentials":
        """Build from the `Credentials` member of an STS answer or a cache file."""
        return cls(
            access_key_id=data["AccessKeyId"],
            secret_access_key=data["SecretAccessKey"],
            session_token=data.get("SessionToken"),
            expiration=parse_expiration(data["Expiration"]) if data.get("Expiration") else None,
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
        }
