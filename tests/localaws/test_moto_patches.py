"""The moto internals localaws/moto_patches.py replaces are still there, shaped as the patches expect.

tests/localaws/test_server.py shows the patches at work; these say which one a moto upgrade broke.
"""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.responses import ActionResult, BaseResponse
from moto.iam import access_control
from moto.sts.models import AssumedRole, STSBackend
from moto.sts.responses import TokenResponse

from jupyter_awsrole.localaws import moto_patches


def _broke(what: str) -> str:
    return f"moto {version('moto')} changed {what}; moto_patches.py was checked against the version its docstring names"


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_access_keys_are_made_by_a_module_function_looked_up_at_call_time():
    assert _parameters(access_control.create_access_key) == ["account_id", "partition", "access_key_id", "headers"], (
        _broke("create_access_key's parameters")
    )
    source = inspect.getsource(access_control.IAMRequestBase.__init__)
    assert re.search(r"(?<![\w.])create_access_key\(", source), _broke("how IAMRequestBase finds create_access_key")
    assert _parameters(access_control.CreateAccessKeyFailure) == ["reason"], _broke("CreateAccessKeyFailure")


def test_a_user_access_key_keeps_the_fields_the_session_key_fills_in():
    source = inspect.getsource(access_control.IAMUserAccessKey)
    for field in (
        "self.account_id",
        "self.partition",
        "self._owner_user_name",
        "self._access_key_id",
        "self._secret_access_key",
    ):
        assert field in source, _broke(f"IAMUserAccessKey ({field})")
    for method in ("collect_policies", "create_credentials", "arn"):
        assert hasattr(access_control.IAMUserAccessKey, method), _broke(f"IAMUserAccessKey.{method}")
    assert issubclass(moto_patches.SessionUserAccessKey, access_control.IAMUserAccessKey)


def test_policy_statements_check_principals_in_one_method():
    assert _parameters(access_control.IAMPolicyStatement._check_principal) == ["self", "principal"], _broke(
        "IAMPolicyStatement._check_principal"
    )
    assert "self._statement" in inspect.getsource(access_control.IAMPolicyStatement.__init__), _broke(
        "IAMPolicyStatement._statement"
    )


def test_sts_answers_get_caller_identity_from_the_access_key():
    assert _parameters(STSBackend.get_caller_identity) == ["self", "access_key_id", "region"], _broke(
        "STSBackend.get_caller_identity"
    )
    assert hasattr(access_control, "iam_backends"), _broke("access_control.iam_backends")


def test_normal_actions_are_authorized_in_one_method_that_knows_the_action():
    assert _parameters(ActionAuthenticatorMixin._authenticate_and_authorize_normal_action) == ["self", "resource"], (
        _broke("ActionAuthenticatorMixin._authenticate_and_authorize_normal_action")
    )
    assert issubclass(BaseResponse, ActionAuthenticatorMixin) and hasattr(BaseResponse, "_get_action"), _broke(
        "BaseResponse._get_action"
    )


def test_assume_role_answers_a_result_whose_credentials_are_the_session():
    assert _parameters(TokenResponse.assume_role) == ["self"], _broke("TokenResponse.assume_role")
    source = inspect.getsource(TokenResponse.assume_role)
    assert '"Credentials": role' in source and "ActionResult(result)" in source, _broke("TokenResponse.assume_role")
    assert hasattr(ActionResult, "result") and _parameters(BaseResponse._get_param)[:2] == ["self", "param_name"], (
        _broke("ActionResult.result / BaseResponse._get_param")
    )


def test_moto_checks_permissions_in_one_method_with_the_request_s_key_and_action():
    check = access_control.IAMRequestBase.check_action_permitted
    assert _parameters(check) == ["self", "resource"], _broke("IAMRequestBase.check_action_permitted")
    init = inspect.getsource(access_control.IAMRequestBase.__init__)
    assert "self._access_key =" in init and "self._action =" in init, _broke("IAMRequestBase's _access_key/_action")
    key = inspect.getsource(access_control.AssumedRoleAccessKey.__init__)
    assert "self._access_key_id = access_key_id" in key and "self.partition" in key, _broke("AssumedRoleAccessKey")
    assert _parameters(STSBackend.get_assumed_role_from_access_key) == ["self", "access_key_id"], _broke(
        "STSBackend.get_assumed_role_from_access_key"
    )
    assert "self.policy = policy" in inspect.getsource(AssumedRole.__init__), _broke("AssumedRole.policy")
    assert {"DENIED", "PERMITTED", "NEUTRAL"} <= set(access_control.PermissionResult.__members__), _broke(
        "PermissionResult"
    )
