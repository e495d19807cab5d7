"""In-process adjustments to moto's IAM enforcement so GetSessionToken credentials and role chaining work as in AWS.

Every monkeypatch of moto is here, and only here. They replace private moto functions and methods:
`access_control.create_access_key` (looked up by IAMRequestBase at call time), `IAMUserAccessKey`'s
fields, `IAMPolicyStatement._check_principal`, `STSBackend.get_caller_identity`,
`ActionAuthenticatorMixin._authenticate_and_authorize_normal_action`, and for session policies
`STSResponse.assume_role` and `IAMRequestBase.check_action_permitted`. Checked against moto 5.2.5;
tests/localaws/test_moto_patches.py fails by name when a moto upgrade moves one of them.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.credentials import Credentials
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control
from moto.sts.models import STSBackend, sts_backends
from moto.sts.responses import TokenResponse

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
    """Teach moto about our session credentials, role-session principals and session policies; call once
    per process."""
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

    install_session_policies()


# -- Session policies: moto keeps AssumeRole's Policy but authorizes as the role alone, and drops PolicyArns,
# Tags and SourceIdentity. AWS grants a narrowed session what both the role and its session policies allow.


def install_session_policies() -> None:
    """Make moto keep what narrows an AssumeRole session and authorize that session's calls with it."""
    original_assume = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        answer = original_assume(self)
        result: Any = answer.result
        session = result["Credentials"]  # moto's AssumedRole
        session.policy_arns = [item["arn"] for item in self._get_param("PolicyArns", []) or []]
        session.session_tags = {item["Key"]: item["Value"] for item in self._get_param("Tags", []) or []}
        session.source_identity = self._get_param("SourceIdentity")
        if session.source_identity:  # AWS echoes it in the answer
            result["SourceIdentity"] = session.source_identity
        return answer

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]

    original_check = access_control.IAMRequestBase.check_action_permitted

    def check_action_permitted(self: access_control.IAMRequestBase, resource: str) -> None:
        original_check(self, resource)  # the role's own policies: raises when they do not allow the call
        if self._action == "sts:GetCallerIdentity":  # allowed whatever the policies say, as moto does
            return
        policies = session_policies(self._access_key)
        if policies is not None and not allowed_by(policies, self._action, resource):
            self._raise_access_denied()

    access_control.IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]


def session_policies(access_key: Any) -> list[Any] | None:
    """The session policies of an assumed-role key (inline, then managed by ARN), or None when it has none."""
    if not isinstance(access_key, access_control.AssumedRoleAccessKey):
        return None
    backend = sts_backends[access_key.account_id][access_key.partition]
    session = backend.get_assumed_role_from_access_key(access_key._access_key_id)
    if session is None:
        return None
    arns = getattr(session, "policy_arns", [])
    if not session.policy and not arns:
        return None
    policies: list[Any] = [session.policy] if session.policy else []
    for arn in arns:
        try:
            policies.append(access_key.backend.get_policy(arn))
        except Exception:
            continue  # an ARN moto does not know grants nothing
    return policies


def allowed_by(policies: list[Any], action: str, resource: str) -> bool:
    """AWS's rule for session policies: some statement allows the call and none denies it."""
    results = [access_control.IAMPolicy(policy).is_action_permitted(action, resource) for policy in policies]
    denied = access_control.PermissionResult.DENIED in results
    return not denied and access_control.PermissionResult.PERMITTED in results
