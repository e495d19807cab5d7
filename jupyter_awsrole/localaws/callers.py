"""Who is calling, from the access key id of a request, read from moto's backends in-process."""

from __future__ import annotations

from dataclasses import dataclass

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from .account import ACCOUNT_ID
from .sessions import SessionRegistry

PARTITION = "aws"


@dataclass(frozen=True)
class Caller:
    """The principal behind an access key: an IAM user, a user's session, or a role session."""

    arn: str
    kind: str  # "user" | "session" | "role"
    user_name: str | None
    mfa_present: bool

    @property
    def temporary(self) -> bool:
        return self.kind != "user"


def identify(access_key_id: str, registry: SessionRegistry) -> Caller | None:
    """The caller for an access key id, or None when nobody in the local account holds it."""
    iam = iam_backends[ACCOUNT_ID][PARTITION]
    session = registry.session(access_key_id)
    if session is not None:
        user = iam.get_user(session.user_name)
        return Caller(user.arn, "session", user.name, session.mfa_present)
    assumed = sts_backends[ACCOUNT_ID][PARTITION].get_assumed_role_from_access_key(access_key_id)
    if assumed is not None:
        return Caller(assumed.arn, "role", None, registry.role_has_mfa(access_key_id))
    owner = iam.get_user_from_access_key_id(access_key_id)
    if owner is not None:
        return Caller(owner.arn, "user", owner.name, False)
    return None


def mfa_seed(serial_number: str) -> tuple[str, str | None] | None:
    """(base32 seed, owning user name) of a virtual MFA device, or None if there is no such device."""
    device = iam_backends[ACCOUNT_ID][PARTITION].virtual_mfa_devices.get(serial_number)
    if device is None:
        return None
    return device.base32_string_seed, device.user.name if device.user else None


def role_trust_policy(role_arn: str) -> tuple[str, int] | None:
    """(trust policy document, MaxSessionDuration) of a role in the local account, or None."""
    try:
        role = iam_backends[ACCOUNT_ID][PARTITION].get_role_by_arn(role_arn)
    except Exception:  # moto raises its own NotFound types here
        return None
    return role.assume_role_policy_document, int(role.max_session_duration or 3600)
