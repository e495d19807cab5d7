"""The real AWS CLI beside the kernel: what it writes, pinned, and who it says it is."""

from __future__ import annotations

import subprocess

ROLE = "arn:aws:iam::123456789012:role/analystrole"
# The file name the real `aws` CLI (botocore 1.43.117) wrote for a profile with role_session_name
# pinned-session, external_id pinned-external-id and duration_seconds 1800; see
# tests/acceptance/test_cache_files.py::test_the_aws_cli_and_the_kernel_name_a_session_alike.
CLI_KEY = "5a0831a80cbbf383980773691ac20538d2b4c5a9"
CLI_KEY_ARGS = {
    "RoleArn": ROLE,
    "RoleSessionName": "pinned-session",
    "ExternalId": "pinned-external-id",
    "DurationSeconds": 1800,
}


def cli_whoami(env: dict[str, str], profile: str, mfa_code: str | None = None) -> subprocess.CompletedProcess[str]:
    """`aws --profile PROFILE sts get-caller-identity` (the ARN in stdout); an MFA prompt gets `mfa_code`."""
    return subprocess.run(
        ["aws", "--profile", profile, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
        env=env,
        capture_output=True,
        text=True,
        input=None if mfa_code is None else mfa_code + "\n",
        stdin=subprocess.DEVNULL if mfa_code is None else None,
        timeout=60,
    )
