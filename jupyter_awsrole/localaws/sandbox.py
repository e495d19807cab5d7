"""Writes the AWS CLI config, credentials and secrets for the local account into the state directory."""

from __future__ import annotations

from pathlib import Path

from . import files
from .account import (
    ACCOUNT_ID,
    CI_USER,
    MFA_SERIAL,
    REGION,
    REPORTING_EXTERNAL_ID,
    SSO_PERMISSION_SET,
    SSO_SESSION,
    SSO_START_URL,
    USER,
    role_arn,
)
from .seed import Seeded


def profiles(endpoint: str) -> dict[str, dict[str, str]]:
    """The demo profiles in AWS CLI config form; each names the local endpoint so nothing reaches AWS."""
    common = {"region": REGION, "endpoint_url": endpoint}
    return {
        USER: dict(common),
        "marketingadmin": {
            "role_arn": role_arn("marketingadminrole"),
            "source_profile": USER,
            "mfa_serial": MFA_SERIAL,
            **common,
        },
        "analyst": {"role_arn": role_arn("analystrole"), "source_profile": USER, **common},
        "reporting": {
            "role_arn": role_arn("reportingrole"),
            "source_profile": "marketingadmin",
            "external_id": REPORTING_EXTERNAL_ID,
            **common,
        },
        "audit": {"role_arn": role_arn("auditrole"), "source_profile": "reporting", **common},
        "ci": {"role_arn": role_arn("envrole"), "credential_source": "Environment", **common},
        # IAM Identity Center: its sign-in and portal are the SSO stand-in (AWS_ENDPOINT_URL_SSO_OIDC / _SSO).
        "datascientist": {
            "sso_session": SSO_SESSION,
            "sso_account_id": ACCOUNT_ID,
            "sso_role_name": SSO_PERMISSION_SET,
            **common,
        },
    }


def sso_sessions() -> dict[str, dict[str, str]]:
    """The demo's [sso-session] sections."""
    return {
        SSO_SESSION: {
            "sso_start_url": SSO_START_URL,
            "sso_region": REGION,
            "sso_registration_scopes": "sso:account:access",
        }
    }


def _ini(sections: dict[str, dict[str, str]]) -> str:
    return "".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in body.items()) + "\n"
        for name, body in sections.items()
    )


def write_sandbox(state_dir: Path, endpoint: str, seeded: Seeded) -> None:
    """Write config, credentials, mfa-seed and env.json; secrets are readable by the owner only."""
    config = {f"profile {name}": body for name, body in profiles(endpoint).items()}
    config.update({f"sso-session {name}": body for name, body in sso_sessions().items()})
    user_key = seeded.keys[USER]
    credentials = {
        USER: {"aws_access_key_id": user_key.access_key_id, "aws_secret_access_key": user_key.secret_access_key}
    }
    ci_key = seeded.keys[CI_USER]
    environment = {"AWS_ACCESS_KEY_ID": ci_key.access_key_id, "AWS_SECRET_ACCESS_KEY": ci_key.secret_access_key}

    files.write_atomic(state_dir / files.CONFIG, _ini(config))
    files.write_atomic(state_dir / files.CREDENTIALS, _ini(credentials), mode=0o600)
    files.write_atomic(state_dir / files.MFA_SEED, seeded.mfa_seed + "\n", mode=0o600)
    files.write_json_atomic(state_dir / files.ENV, environment, mode=0o600)
