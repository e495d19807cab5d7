"""Credentials for the start of a chain: botocore's providers for profiles, the baseline environment, IMDS, ECS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .compat import credentials_expiry
from .credentials import Credentials
from .errors import AwsRoleError, StsError
from .profiles import Plan
from .sso_login import LoginPresenter, ensure_token
from .sts import Timeouts, quiet_botocore


def _frozen(creds: Any) -> Credentials:
    frozen = creds.get_frozen_credentials()
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token, credentials_expiry(creds))


def root_credentials(
    plan: Plan, baseline: Mapping[str, str], login: LoginPresenter | None = None, timeouts: Timeouts | None = None
) -> Credentials:
    """Resolve where the chain starts; `baseline` is the environment before any switch of ours; `login` shows
    an SSO sign-in when the root is an SSO profile without a usable token."""
    sso = plan.root.sso if plan.root is not None and plan.credential_source is None else None
    if sso is not None:
        ensure_token(sso, plan.profile.name, login, timeouts or Timeouts())
    with quiet_botocore():  # SSO, web identity and the like fetch credentials that botocore would log
        return _root_credentials(plan, baseline)


def _root_credentials(plan: Plan, baseline: Mapping[str, str]) -> Credentials:
    name = plan.hops[0].profile.name if plan.hops else plan.profile.name
    try:
        if plan.credential_source == "Environment":
            key, secret = baseline.get("AWS_ACCESS_KEY_ID"), baseline.get("AWS_SECRET_ACCESS_KEY")
            if not key or not secret:
                raise StsError(
                    f"Profile '{name}' uses credential_source = Environment, but AWS_ACCESS_KEY_ID and"
                    " AWS_SECRET_ACCESS_KEY were not set when the kernel started."
                )
            token = baseline.get("AWS_SESSION_TOKEN") or baseline.get("AWS_SECURITY_TOKEN")
            return Credentials(key, secret, token or None)
        if plan.credential_source == "EcsContainer":
            from botocore.credentials import ContainerProvider

            # The container variables from before any switch: after one, os.environ points at our own endpoint.
            creds = ContainerProvider(environ=dict(baseline)).load()
        elif plan.credential_source == "Ec2InstanceMetadata":
            import botocore.session

            # botocore's own provider, configured as botocore configures it (endpoint, timeouts).
            resolver = botocore.session.Session().get_component("credential_provider")
            creds = resolver.get_provider("iam-role").load()
        else:
            root = plan.root
            assert root is not None
            if root.kind == "keys":
                return Credentials(
                    root.values["aws_access_key_id"],
                    root.values["aws_secret_access_key"],
                    root.get("aws_session_token"),
                )
            import botocore.session

            # An explicit profile keeps botocore away from environment credentials.
            creds = botocore.session.Session(profile=root.name).get_credentials()
        if creds is None:
            where = plan.credential_source or (plan.root.name if plan.root else name)
            raise StsError(f"No source credentials for profile '{name}' from {where}.")
        return _frozen(creds)  # botocore's refreshable credentials fetch here, so still inside the try
    except AwsRoleError:
        raise
    except Exception as exc:
        raise StsError(f"Cannot get the source credentials of profile '{name}': {type(exc).__name__}: {exc}") from None
