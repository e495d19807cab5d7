"""Installing a role in a real kernel: all or nothing, boto3's default session follows, verbose
tracebacks show no secret of the environment from before the switch."""

from __future__ import annotations

import json

import pytest

from tests.support.cells import AWS_ENV, CONSISTENT, WHOAMI, extend_config
from tests.support.kernel import Kernel
from tests.support.leaks import secrets_in_play

pytestmark = pytest.mark.kernel


REFUSED = """
import jupyter_awsrole
try:
    jupyter_awsrole.assume('ci', region='us-east-1\\x00')
except jupyter_awsrole.AwsRoleError as exc:
    print('refused in one line:', '\\n' not in str(exc))
"""


def _whoami(kernel: Kernel) -> str:
    """The caller's ARN as boto3 sees it; a failed assert shows this text only, not the whole run."""
    return kernel.run(WHOAMI).ok().stdout


def _leak_count(secrets: list[str], run) -> int:
    text = run.text + json.dumps(run.messages, default=str)
    return sum(1 for secret in secrets if secret in text)


def test_a_region_with_a_nul_byte_installs_nothing(kernel_env, local_aws):
    del kernel_env["AWS_DEFAULT_REGION"]  # so the credentials would be written before the region
    kernel = Kernel(kernel_env)
    try:
        kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
        before = kernel.run(AWS_ENV).ok().stdout
        run = kernel.run(REFUSED)
        raised, refused = run.error and run.error["ename"], "refused in one line: True" in run.stdout
        assert refused, f"not refused as AwsRoleError in one line; raised {raised}"
        unchanged = kernel.run(AWS_ENV).ok().stdout == before  # compared here: the text holds secrets
        assert unchanged, "the environment changed"
        assert "active analyst consistent True" in kernel.run(CONSISTENT).ok().stdout
        kernel.run("%awsrole --unset").ok()
        unset_env = kernel.run(AWS_ENV).ok().stdout
        assert "AWS_SESSION_TOKEN" not in unset_env and "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in unset_env
    finally:
        kernel.stop()


def test_boto3_follows_a_switch_away_from_aws_profile(kernel_env, local_aws):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        del kernel_env[name]
    kernel_env["AWS_PROFILE"] = "user1"
    kernel = Kernel(kernel_env)
    try:
        assert ":user/user1" in _whoami(kernel)  # boto3's default session now holds user1
        kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
        assert "assumed-role/analystrole/" in _whoami(kernel)
        kernel.run("%awsrole --unset").ok()
        assert ":user/user1" in _whoami(kernel)
    finally:
        kernel.stop()


DENIED = """
[profile denied]
role_arn = arn:aws:iam::123456789012:role/auditrole
source_profile = user1
"""


@pytest.mark.parametrize(
    "call",
    [
        "jupyter_awsrole.assume('marketingadmin', mfa='{wrong}')",
        "jupyter_awsrole.assume('denied')",
    ],
    ids=["wrong MFA code", "AccessDenied"],
)
def test_a_verbose_traceback_holds_no_long_term_secret(kernel_env, local_aws, tmp_path, call):
    extend_config(kernel_env, local_aws, tmp_path, DENIED)
    kernel = Kernel(kernel_env)
    try:
        kernel.run("import jupyter_awsrole\njupyter_awsrole.assume('analyst')").ok()
        kernel.run("%xmode Verbose").ok()
        run = kernel.run(call.format(wrong=local_aws.wrong_mfa_code()))
        assert run.error is not None
        secrets = secrets_in_play(local_aws)
        assert len(secrets) >= 2
        leaked = _leak_count(secrets, run)
        assert leaked == 0, f"{leaked} long-term secret(s) in the verbose traceback"
    finally:
        kernel.stop()
