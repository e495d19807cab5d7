"""What the real AWS CLI writes, pinned: the kernel's cache must keep meeting it."""

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
