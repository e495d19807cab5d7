"""MFA codes from a command (`mfa_process` in a profile, or `AwsRole.mfa_process`): no prompt at a switch, none at
renewals after the MFA session ends, and one line when the command fails, hangs or prints no code."""

from __future__ import annotations

import pytest

from tests.support.cells import WHOAMI
from tests.support.configured import kernel_with_profiles
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel
MANAGER = "__import__('jupyter_awsrole.manager').manager.get_manager()"


def code_command(local_aws) -> str:
    """The demo's TOTP code, as an authenticator's command line prints it."""
    return f"jupyter-awsrole mfa-code --state-dir {local_aws.state_dir}"


@pytest.fixture
def own(kernel_env, local_aws, tmp_path):
    """A kernel whose config has a role with its own mfa_process."""
    text = (
        "\n[profile admin-by-command]\nrole_arn = arn:aws:iam::123456789012:role/marketingadminrole\n"
        f"source_profile = user1\nmfa_serial = {local_aws.mfa_serial}\nmfa_process = {code_command(local_aws)}\n"
        f"region = us-east-1\nendpoint_url = {local_aws.endpoint}\n"
    )
    with kernel_with_profiles(kernel_env, local_aws, tmp_path, text) as k:
        yield k


def test_a_profile_s_mfa_process_serves_the_switch_and_every_renewal_without_asking(own, local_aws, home):
    k = own
    k.run("%load_ext jupyter_awsrole\n%config AwsRole.mfa_session_seconds = 0").ok()  # every hop needs a code
    assert k.value(f"{MANAGER}.needs_code('admin-by-command')") == "False"
    run = k.run("%awsrole admin-by-command").ok()
    assert "Now marketingadminrole" in run.stdout and not run.prompts
    local_aws.reset_stats()
    renewed = k.run(f"import jupyter_awsrole as j; s = j.refresh(); print(s and s.profile, {MANAGER}.problem)")
    assert renewed.ok().stdout.strip() == "admin-by-command None" and not renewed.prompts
    assert local_aws.stats()["mfa_checked"] == 1
    assert "assumed-role/marketingadminrole/" in k.run(WHOAMI).ok().stdout
    code = local_aws.mfa_code()
    for index, run in enumerate(k.runs):
        assert_no_leak(secrets_in_play(local_aws, home) | {code}, run.text, f"run {index}")


def test_the_setting_serves_every_profile_with_mfa(kernel, local_aws):
    kernel.run(f"%load_ext jupyter_awsrole\n%config AwsRole.mfa_process = {code_command(local_aws)!r}").ok()
    run = kernel.run("%awsrole marketingadmin").ok()
    assert "Now marketingadminrole" in run.stdout and not run.prompts


@pytest.mark.parametrize(
    "command, words",
    [
        ("exit 3", "failed (exit status 3)"),
        ("echo not-a-code-but-a-secret", "printed no 6-digit code"),
        ("sleep 30", "gave no code within 1 s"),
    ],
)
def test_a_failing_command_is_one_line_and_changes_nothing(kernel, local_aws, command, words):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst\n%config AwsRole.mfa_process_timeout = 1.0").ok()
    kernel.run(f"%config AwsRole.mfa_process = {command!r}").ok()
    run = kernel.run("%awsrole marketingadmin --refresh")
    assert run.error is not None and run.error["ename"] == "UsageError", run.text
    assert words in run.error["evalue"] and "\n" not in run.error["evalue"]
    assert "not-a-code" not in run.text and not run.prompts
    assert kernel.value("__import__('jupyter_awsrole').current().profile") == "analyst"
