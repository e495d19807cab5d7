"""Seeds the local account through the AWS API over HTTP, before IAM enforcement is switched on."""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass

import boto3

from ..loopback import DIRECT
from . import data, totp
from .account import (
    ANALYTICS_BUCKET,
    MARKETING_BUCKET,
    MFA_DEVICE_NAME,
    REGION,
    ROLES,
    USER,
    USERS,
)


@dataclass(frozen=True)
class AccessKey:
    """A long-term IAM user key pair."""

    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Seeded:
    """The secrets created while seeding, which the sandbox files hand to clients."""

    keys: dict[str, AccessKey]
    mfa_serial: str
    mfa_seed: str


def seed_account(endpoint: str) -> Seeded:
    """Create users, the MFA device, roles and buckets; moto accepts any credentials until enforcement."""
    session = boto3.session.Session(
        aws_access_key_id="AKIALOCALAWSSEEDER00",
        aws_secret_access_key="seeding",
        region_name=REGION,
    )
    iam = session.client("iam", endpoint_url=endpoint)
    s3 = session.client("s3", endpoint_url=endpoint)

    keys = {}
    for user in USERS:
        iam.create_user(UserName=user.name)
        iam.put_user_policy(UserName=user.name, PolicyName=f"{user.name}-policy", PolicyDocument=user.policy)
        key = iam.create_access_key(UserName=user.name)["AccessKey"]
        keys[user.name] = AccessKey(key["AccessKeyId"], key["SecretAccessKey"])

    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=MFA_DEVICE_NAME)["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    now = time.time()
    iam.enable_mfa_device(
        UserName=USER,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.code(seed, -1, now),
        AuthenticationCode2=totp.code(seed, 0, now),
    )

    for role in ROLES:
        iam.create_role(
            RoleName=role.name,
            AssumeRolePolicyDocument=role.trust,
            MaxSessionDuration=role.max_session_duration,
        )
        iam.put_role_policy(RoleName=role.name, PolicyName=f"{role.name}-policy", PolicyDocument=role.policy)

    campaigns = data.campaigns()
    objects = {
        MARKETING_BUCKET: {"campaigns.csv": data.to_csv(campaigns), "campaigns.parquet": data.to_parquet(campaigns)},
        ANALYTICS_BUCKET: {"sessions.csv": data.to_csv(data.sessions())},
    }
    for bucket, contents in objects.items():
        s3.create_bucket(Bucket=bucket)
        for key, body in contents.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)

    return Seeded(keys=keys, mfa_serial=device["SerialNumber"], mfa_seed=seed)


def enable_enforcement(endpoint: str) -> None:
    """Switch moto's IAM enforcement on: from now on every request is authenticated and authorized."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with DIRECT.open(request, timeout=10) as response:
        response.read()
