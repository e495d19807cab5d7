"""In-process adjustments to moto's IAM enforcement so GetSessionToken credentials and role chaining work as in AWS.

Every monkeypatch of moto is here, and only here. They replace private moto functions and methods:
`access_control.create_access_key` (looked up by IAMRequestBase at call time), `IAMUserAccessKey`'s
fields, `IAMPolicyStatement._check_principal`, `STSBackend.get_caller_identity` and
`ActionAuthenticatorMixin._authenticate_and_authorize_normal_action`. Checked against moto 5.2.5;
tests/localaws/test_moto_patches.py fails by name when a moto upgrade moves one of them.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.credentials import Credentials
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control
from moto.sts.models import STSBackend

from .sessions import SessionRegistry
from .trust import principal_matches

UNSIGNED_STS_ACTIONS = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})

# AWS: session credentials from GetSessionToken may not call IAM, nor STS beyond AssumeRole/GetCallerIdentity.
_SESSION_LIMITS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": ["iam:*", "sts:GetSessionToken", "sts:GetFederationToken"],
                "Resource": "*",
            }
        ],
    }
)


class SessionUserAccessKey(access_control.IAMUserAccessKey):
    """A GetSessionToken key as moto's enforcement sees it: the user's ARN and policies, plus session limits."""

    def __init__(self, account_id: str, partition: str, session: Any, headers: dict[str, str]):
        self.account_id = account_id
        self.partition = partition
        self._owner_user_name = session.user_name
        self._access_key_id = session.access_key_id
        self._secret_access_key = session.secret_access_key
        self._session_token = session.session_token
        if headers.get("X-Amz-Security-Token") != session.session_token:
            raise access_control.CreateAccessKeyFailure(reason="InvalidToken")

    def create_credentials(self) -> Credentials:
        return Credentials(self._access_key_id, self._secret_access_key, self._session_token)

    def collect_policies(self) -> list[Any]:
        return [_SESSION_LIMITS, *super().collect_policies()]


def install(registry: SessionRegistry) -> None:
    """Teach moto about our session credentials and about role-session principals; call once per process."""
    original_create = access_control.create_access_key

    def create_access_key(account_id: str, partition: str, access_key_id: str, headers: dict[str, str]) -> Any:
        session = registry.session(access_key_id)
        if session is not None:
            return SessionUserAccessKey(account_id, partition, session, headers)
        return original_create(account_id, partition, access_key_id, headers)

    # IAMRequestBase looks create_access_key up as a module global at call time.
    access_control.create_access_key = create_access_key

    def check_principal(self: access_control.IAMPolicyStatement, principal: str) -> bool:
        expected = self._statement.get("Principal")
        return not expected or principal_matches(expected, principal)

    access_control.IAMPolicyStatement._check_principal = check_principal  # type: ignore[method-assign]

    original_identity = STSBackend.get_caller_identity

    def get_caller_identity(self: STSBackend, access_key_id: str, region: str) -> tuple[str, str, str]:
        session = registry.session(access_key_id)
        if session is None:
            return original_identity(self, access_key_id, region)
        user = access_control.iam_backends[self.account_id][self.partition].get_user(session.user_name)
        return user.id, user.arn, user.account_id

    STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]

    original_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def authorize(self: Any, resource: str = "*") -> None:
        # AWS takes these unsigned: the token (or assertion) is the authentication. Under enforcement
        # moto would look for a signature and fail with a 500. (Federated trust is not checked here.)
        if self._get_action() in UNSIGNED_STS_ACTIONS:
            return
        original_authorize(self, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = authorize  # type: ignore[method-assign]
