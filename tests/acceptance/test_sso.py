"""IAM Identity Center profiles in real kernels, against the SSO stand-in over HTTP: cached tokens (shared with the
AWS CLI both ways), a silent refresh, a sign-in inline (approved, denied, expired, slowed down, interrupted), and
two kernels signing in at once."""

from __future__ import annotations

import json
import stat
import time

import pytest

from tests.support.aws_cli import cli_whoami
from tests.support.cells import WHOAMI
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play
from tests.support.sso import CLI_TOKEN_FIELDS, Waiting, cli_login, pending_code, sso_secrets, token_file

pytestmark = pytest.mark.kernel

PERMISSION_SET_ROLE = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DataScientist/ada@example.com"
NOW = "Now AWSReservedSSO_DataScientist in account 123456789012 (profile datascientist"
SWITCH = "%load_ext jupyter_awsrole\n%awsrole datascientist"


@pytest.fixture(autouse=True)
def fresh_standin(local_aws):
    local_aws.sso("POST", "reset")
    yield


def calls(local_aws) -> dict[str, int]:
    return local_aws.sso("GET", "stats")["calls"]


def no_leaks(local_aws, home, *kernels: Kernel) -> None:
    secrets = secrets_in_play(local_aws, home) | sso_secrets(home)
    for kernel in kernels:
        for index, run in enumerate(kernel.runs):
            assert_no_leak(secrets, run.text, f"run {index}")
            assert_no_leak(secrets, run.messages, f"the messages of run {index}")


def test_a_token_the_cli_cached_gives_the_permission_set_without_a_sign_in(kernel, local_aws, home):
    cli_login(local_aws, home)
    local_aws.sso("POST", "reset")
    said = kernel.run(SWITCH).ok().stdout
    assert NOW in said
    assert kernel.run(WHOAMI).ok().stdout.strip() == PERMISSION_SET_ROLE
    assert calls(local_aws) == {"GetRoleCredentials": 1}
    listing = kernel.run("%awsrole --list datascientist").ok().plain
    assert "sso" in listing and "SSO account 123456789012, permission set DataScientist" in listing
    # Renewals fetch new role credentials with the same token.
    assert kernel.value("__import__('jupyter_awsrole').refresh().profile") == "datascientist"
    assert calls(local_aws) == {"GetRoleCredentials": 2}
    no_leaks(local_aws, home, kernel)


def test_an_expired_token_is_refreshed_silently_and_saved_for_the_cli(kernel, kernel_env, local_aws, home):
    old = cli_login(local_aws, home, expires_in=-60)
    local_aws.sso("POST", "reset")
    said = kernel.run(SWITCH).ok()
    assert NOW in said.stdout and not said.outputs  # no sign-in shown
    assert calls(local_aws) == {"CreateToken": 1, "GetRoleCredentials": 1}
    new = json.loads(token_file(home).read_text())
    assert new["accessToken"] != old["accessToken"] and new["refreshToken"] != old["refreshToken"]
    assert new["clientId"] == old["clientId"] and set(new) == CLI_TOKEN_FIELDS
    # The AWS CLI reads what the kernel wrote.
    cli = cli_whoami(kernel_env, "datascientist")
    assert cli.returncode == 0 and cli.stdout.strip() == PERMISSION_SET_ROLE
    no_leaks(local_aws, home, kernel)


def test_a_missing_token_signs_in_inline_and_the_cli_shares_it(kernel, kernel_env, local_aws, home):
    waiting = Waiting(kernel, SWITCH)
    code = pending_code(local_aws)
    assert local_aws.sso("POST", "approve", {"user_code": code})["done"]
    run = waiting.result()
    assert run.error is None, run.text
    assert NOW in run.stdout
    shown = "\n".join(m["content"]["data"].get("text/html", "") for m in run.messages if "data" in m["content"])
    assert f"/device?user_code={code}" in shown and code in shown and "left" in shown
    assert "Signed in to https://demo-sso.awsapps.com/start." in run.plain
    path = token_file(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())) == CLI_TOKEN_FIELDS
    assert calls(local_aws)["StartDeviceAuthorization"] == 1
    cli = cli_whoami(kernel_env, "datascientist")
    assert cli.returncode == 0 and cli.stdout.strip() == PERMISSION_SET_ROLE
    # A later switch (and another kernel) use the saved token: no second sign-in.
    assert NOW in kernel.run("%awsrole datascientist --refresh").ok().stdout
    assert calls(local_aws)["StartDeviceAuthorization"] == 1
    no_leaks(local_aws, home, kernel)


@pytest.mark.parametrize(
    "settings, act, words",
    [
        ({}, "deny", "was denied"),
        ({"device_seconds": 2}, None, "expired before it was approved"),
    ],
)
def test_a_denied_or_expired_sign_in_is_one_line_and_changes_nothing(kernel, local_aws, home, settings, act, words):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    local_aws.sso("POST", "config", settings)
    waiting = Waiting(kernel, "%awsrole datascientist")
    code = pending_code(local_aws)
    if act:
        local_aws.sso("POST", act, {"user_code": code})
    run = waiting.result()
    assert run.error is not None and run.error["ename"] == "UsageError"
    assert words in run.error["evalue"] and "\n" not in run.error["evalue"]
    assert kernel.value("__import__('jupyter_awsrole').current().profile") == "analyst"
    assert not token_file(home).exists()
    no_leaks(local_aws, home, kernel)


def test_slow_down_widens_the_polling_interval(kernel, local_aws):
    local_aws.sso("POST", "config", {"slow_down": 1})
    waiting = Waiting(kernel, SWITCH)
    code = pending_code(local_aws)
    deadline = time.monotonic() + 30
    while len(local_aws.sso("GET", "stats")["polls"]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    local_aws.sso("POST", "approve", {"user_code": code})
    run = waiting.result()
    assert NOW in run.stdout, run.text
    polls = local_aws.sso("GET", "stats")["polls"]
    assert polls[1] - polls[0] >= 1 + 5 - 0.5  # interval 1 s, plus 5 s after slow_down


def test_an_interrupt_while_waiting_ends_the_sign_in_and_changes_nothing(kernel, local_aws, home):
    waiting = Waiting(kernel, SWITCH)
    pending_code(local_aws)
    time.sleep(1.5)
    kernel.km.interrupt_kernel()
    run = waiting.result(timeout=30)
    assert run.error is not None and run.error["evalue"] == "Interrupted; nothing was changed."
    assert kernel.value("__import__('jupyter_awsrole').current()") == "None"
    assert not token_file(home).exists()


def test_two_kernels_signing_in_at_once_share_one_sign_in(kernel, kernel_env, local_aws, home):
    other = Kernel(kernel_env)
    try:
        first, second = Waiting(kernel, SWITCH), Waiting(other, SWITCH)
        code = pending_code(local_aws)
        time.sleep(2)  # both kernels are in their switch now; one signs in, the other waits for it
        assert local_aws.sso("GET", "pending")["pending"] == [code]
        local_aws.sso("POST", "approve", {"user_code": code})
        for waiting in (first, second):
            run = waiting.result()
            assert NOW in run.stdout, run.text
        assert calls(local_aws)["StartDeviceAuthorization"] == 1
        no_leaks(local_aws, home, kernel, other)
    finally:
        other.stop()


def test_a_front_end_switch_starts_no_sign_in_unless_it_asks_for_one(kernel, local_aws):
    code = (
        "%load_ext jupyter_awsrole\nfrom jupyter_awsrole.manager import get_manager\n"
        "try:\n    get_manager().switch('datascientist')\nexcept Exception as exc:\n    print(type(exc).__name__, exc)"
    )
    said = kernel.run(code).ok().stdout.strip()
    assert said.startswith("SsoLoginRequired Profile 'datascientist' needs an SSO sign-in")
    assert "StartDeviceAuthorization" not in calls(local_aws)
    events = (
        "seen = []\nget_manager().observe(lambda e, s: seen.append((str(e), get_manager().login)),"
        " events={'sso-login', 'sso-login-ended'})\nget_manager().switch('datascientist', sign_in=True)\n"
        "print([(e, l and l.user_code) for e, l in seen])"
    )
    waiting = Waiting(kernel, events)
    user_code = pending_code(local_aws)
    local_aws.sso("POST", "approve", {"user_code": user_code})
    run = waiting.result()
    assert run.stdout.strip() == str([("sso-login", user_code), ("sso-login-ended", None)]), run.text
