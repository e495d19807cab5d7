"""What the seeded local account contains, shared by the seeder and the sandbox writer."""

from __future__ import annotations

import json
from dataclasses import dataclass

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

USER = "user1"
CI_USER = "ci-bot"
SSO_BROKER = "sso-broker"  # the IAM user the SSO stand-in assumes permission-set roles with

# IAM Identity Center, as the SSO stand-in plays it: one session, one account, one permission set.
SSO_SESSION = "demo-sso"
SSO_START_URL = "https://demo-sso.awsapps.com/start"
SSO_PERMISSION_SET = "DataScientist"
SSO_USER = "ada@example.com"


def sso_role(permission_set: str) -> str:
    """The IAM role Identity Center keeps in an account for a permission set."""
    return f"AWSReservedSSO_{permission_set}"


MFA_DEVICE_NAME = USER
MFA_SERIAL = f"arn:aws:iam::{ACCOUNT_ID}:mfa/{MFA_DEVICE_NAME}"

MARKETING_BUCKET = "marketing-data"
ANALYTICS_BUCKET = "analytics-data"
REPORTING_EXTERNAL_ID = "reporting-2026"


def user_arn(name: str) -> str:
    """ARN of an IAM user in the local account."""
    return f"arn:aws:iam::{ACCOUNT_ID}:user/{name}"


def role_arn(name: str) -> str:
    """ARN of an IAM role in the local account."""
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: list[str], resources: list[str] | str = "*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _bucket_resources(bucket: str) -> list[str]:
    return [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]


def _read_only(bucket: str) -> dict:
    return _allow(["s3:GetObject", "s3:ListBucket"], _bucket_resources(bucket))


LIST_BUCKETS = _allow(["s3:ListAllMyBuckets"])


@dataclass(frozen=True)
class UserSpec:
    """An IAM user with one inline policy and one access key."""

    name: str
    policy: str


@dataclass(frozen=True)
class RoleSpec:
    """An IAM role with its trust policy and one inline permissions policy."""

    name: str
    trust: str
    policy: str
    max_session_duration: int = 3600

    @property
    def arn(self) -> str:
        return role_arn(self.name)


def _trust(principals: list[str], condition: dict | None = None) -> str:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": principals if len(principals) > 1 else principals[0]},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return _document(statement)


USERS = [
    UserSpec(USER, _document(_allow(["sts:AssumeRole", "sts:GetSessionToken", "sts:GetCallerIdentity"]))),
    UserSpec(CI_USER, _document(_allow(["sts:AssumeRole", "sts:GetCallerIdentity"]))),
    UserSpec(SSO_BROKER, _document(_allow(["sts:AssumeRole"], role_arn(sso_role(SSO_PERMISSION_SET))))),
]

ROLES = [
    RoleSpec(
        "marketingadminrole",
        trust=_trust([user_arn(USER)], {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        policy=_document(
            _allow(["s3:*"], _bucket_resources(MARKETING_BUCKET)),
            LIST_BUCKETS,
            _allow(["sts:AssumeRole"], role_arn("reportingrole")),
        ),
        max_session_duration=43200,
    ),
    RoleSpec(
        "auditrole",
        trust=_trust([role_arn("reportingrole")]),
        policy=_document(_read_only(MARKETING_BUCKET)),
    ),
    RoleSpec(
        "analystrole",
        trust=_trust([user_arn(USER), user_arn(CI_USER)]),
        policy=_document(_read_only(ANALYTICS_BUCKET), LIST_BUCKETS),
    ),
    RoleSpec(
        "reportingrole",
        trust=_trust(
            [role_arn("marketingadminrole")],
            {"StringEquals": {"sts:ExternalId": REPORTING_EXTERNAL_ID}},
        ),
        policy=_document(_read_only(MARKETING_BUCKET), _allow(["sts:AssumeRole"], role_arn("auditrole"))),
    ),
    RoleSpec(
        sso_role(SSO_PERMISSION_SET),
        trust=_trust([user_arn(SSO_BROKER)]),
        policy=_document(_read_only(ANALYTICS_BUCKET), LIST_BUCKETS, _allow(["sts:GetCallerIdentity"])),
        max_session_duration=43200,
    ),
    RoleSpec(
        "envrole",
        trust=_trust([user_arn(CI_USER)]),
        policy=_document(_read_only(ANALYTICS_BUCKET)),
    ),
]
