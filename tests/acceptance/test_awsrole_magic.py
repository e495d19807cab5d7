"""%awsrole end to end: a real kernel, the local AWS over HTTP, MFA answered through stdin."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.support.aws_cli import cli_whoami
from tests.support.cells import AWS_ENV, WHOAMI, extend_config
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

READ = "import pandas as pd; print('rows', len(pd.read_csv('s3://marketing-data/campaigns.csv')))"
KEY_DIGEST = (
    "import hashlib, jupyter_awsrole;"
    " print(hashlib.sha1(jupyter_awsrole.current().credentials.access_key_id.encode()).hexdigest())"
)

BAD_PROFILES = """
[profile both]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = user1
credential_source = Environment
[profile neither]
role_arn = arn:aws:iam::123456789012:role/analystrole
[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = loop-a
[profile laptop]
role_arn = arn:aws:iam::123456789012:role/analystrole
credential_source = Laptop
[profile longish]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = user1
duration_seconds = one hour
"""


@pytest.fixture
def aws(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    return kernel


def code_for(local_aws):
    return lambda prompt: local_aws.mfa_code()


def assume_marketing(k: Kernel, local_aws) -> None:
    run = k.run("%awsrole marketingadmin", answers=code_for(local_aws)).ok()
    assert run.prompts == [(f"MFA code for {local_aws.mfa_serial}: ", True)]
    assert "Now marketingadminrole in account 123456789012" in run.stdout


def test_one_prompt_then_boto3_pandas_and_subprocesses_run_as_the_role(aws, local_aws):
    denied = aws.run(READ)
    assert denied.error is not None, "user1 must not read the bucket"
    assume_marketing(aws, local_aws)
    assert "assumed-role/marketingadminrole/" in aws.run(WHOAMI).ok().stdout
    assert int(aws.run(READ).ok().stdout.split()[-1]) > 1000
    shell = aws.run("!aws sts get-caller-identity --query Arn --output text").ok()
    assert "assumed-role/marketingadminrole/" in shell.stdout
    env = json.loads(aws.run(AWS_ENV).ok().stdout)
    assert "AWS_PROFILE" not in env and "AWS_ACCESS_KEY_ID" not in env  # served by the kernel's endpoint
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_a_role_without_access_fails_the_next_read_and_switching_back_asks_nothing(aws, local_aws):
    assume_marketing(aws, local_aws)
    aws.run(READ).ok()
    assert aws.run("%awsrole analyst").ok().prompts == []
    failed = aws.run(READ)
    assert failed.error is not None and failed.error["ename"] in ("PermissionError", "ClientError", "OSError")
    back = aws.run("%awsrole marketingadmin").ok()
    assert back.prompts == []
    aws.run(READ).ok()


def test_chain_external_id_and_environment_source(aws, local_aws):
    run = aws.run("%awsrole reporting", answers=code_for(local_aws)).ok()
    assert len(run.prompts) == 1
    assert "assumed-role/reportingrole/" in aws.run(WHOAMI).ok().stdout
    wrong = aws.run("%awsrole reporting --external-id not-the-id --refresh")
    assert wrong.error is not None and wrong.error["ename"] == "UsageError"
    assert "Access denied" in wrong.text
    assert "assumed-role/reportingrole/" in aws.run(WHOAMI).ok().stdout
    aws.run("%awsrole ci").ok()
    assert "assumed-role/envrole/" in aws.run(WHOAMI).ok().stdout


def test_three_hop_chain(aws, local_aws):
    run = aws.run("%awsrole audit", answers=code_for(local_aws)).ok()
    assert len(run.prompts) == 1
    assert "assumed-role/auditrole/" in aws.run(WHOAMI).ok().stdout


@pytest.fixture
def bad_config(kernel_env, local_aws, tmp_path):
    return extend_config(kernel_env, local_aws, tmp_path, BAD_PROFILES)


@pytest.mark.parametrize(
    "line, words",
    [
        ("%awsrole marketingadmn", ["Unknown profile 'marketingadmn'", "Did you mean: marketingadmin"]),
        ("%awsrole both", ["'both'", "both source_profile and credential_source"]),
        ("%awsrole neither", ["'neither'", "neither source_profile nor credential_source"]),
        ("%awsrole loop-a", ["loop-a -> loop-b -> loop-a"]),
        ("%awsrole laptop", ["unknown credential_source 'Laptop'"]),
        ("%awsrole longish", ["'longish'", "duration_seconds", "one hour"]),
        ("%awsrole marketingadmin --refresh --mfa-token 12345", ["6 digits"]),
        ("%awsrole marketingadmin --refresh --duration soon", ["--duration", "soon"]),
        ("%awsrole marketingadmin --bogus", ["unrecognized arguments: --bogus"]),
        ("%awsrole 'marketingadmin", ["Cannot read the arguments"]),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(bad_config, kernel_env, local_aws, line, words):
    k = Kernel(kernel_env)
    try:
        k.run("%load_ext jupyter_awsrole").ok()
        k.run("%awsrole analyst").ok()
        before = k.run(AWS_ENV).ok().stdout
        run = k.run(line)
        assert run.error is not None and run.error["ename"] == "UsageError"
        message = run.error["evalue"]
        assert "\n" not in message.strip() and "Traceback" not in run.text
        for word in words:
            assert word in message
        assert k.run(AWS_ENV).ok().stdout == before
        assert "assumed-role/analystrole/" in k.run(WHOAMI).ok().stdout
    finally:
        k.stop()


def test_wrong_mfa_code_is_refused_by_aws_and_changes_nothing(aws, local_aws):
    aws.run("%awsrole analyst").ok()
    before = aws.run(AWS_ENV).ok().stdout
    run = aws.run(f"%awsrole marketingadmin --mfa-token {local_aws.wrong_mfa_code()}")
    assert run.error is not None and "Wrong MFA code" in run.error["evalue"]
    assert aws.run(AWS_ENV).ok().stdout == before


def test_a_code_used_once_is_refused_the_second_time_as_aws_does(aws, local_aws):
    aws.run("%config AwsRole.mfa_session_seconds = 0").ok()  # an open MFA session would spare sending the code
    code = local_aws.mfa_code()
    aws.run(f"%awsrole marketingadmin --mfa-token {code} --refresh").ok()
    before = aws.run(AWS_ENV).ok().stdout
    run = aws.run(f"%awsrole marketingadmin --mfa-token {code} --refresh")
    assert run.error is not None and "Wrong MFA code" in run.error["evalue"]
    assert "\n" not in run.error["evalue"].strip() and "Traceback" not in run.stdout + run.stderr
    assert_no_leak({code}, [run.stdout, run.stderr, run.error], "the refusal")
    assert aws.run(AWS_ENV).ok().stdout == before


def test_a_refused_code_is_asked_again(aws, local_aws):
    answers = iter([local_aws.wrong_mfa_code(), "12", local_aws.mfa_code()])
    run = aws.run("%awsrole marketingadmin", answers=lambda p: next(answers)).ok()
    assert [p for p, _ in run.prompts][1].startswith("That MFA code was refused.")
    assert "6 digits" in run.prompts[2][0]


def test_unset_restores_the_exact_environment(kernel_env, local_aws):
    kernel_env.update(AWS_PROFILE="user1", AWS_DEFAULT_REGION="eu-central-1")
    k = Kernel(kernel_env)
    try:
        before = k.run(AWS_ENV).ok().stdout
        identity = k.run(WHOAMI).ok().stdout
        k.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
        k.run("%awsrole marketingadmin", answers=code_for(local_aws)).ok()
        assert "AWS_PROFILE" not in json.loads(k.run(AWS_ENV).ok().stdout)
        assert "Back to the environment" in k.run("%awsrole --unset").ok().stdout
        assert k.run(AWS_ENV).ok().stdout == before
        assert k.run(WHOAMI).ok().stdout == identity
    finally:
        k.stop()


def test_cell_magic_restores_after_success_and_after_an_exception(aws, local_aws):
    aws.run("%awsrole analyst").ok()
    inside = aws.run("%%awsrole marketingadmin\n" + WHOAMI, answers=code_for(local_aws)).ok()
    assert "marketingadminrole" in inside.stdout
    assert "assumed-role/analystrole/" in aws.run(WHOAMI).ok().stdout
    failing = aws.run("%%awsrole marketingadmin\nraise ValueError('boom')")
    assert failing.error is not None and failing.error["ename"] == "ValueError"
    assert "previous AWS state is back" in failing.stderr
    assert "assumed-role/analystrole/" in aws.run(WHOAMI).ok().stdout


def test_status_list_and_completion(aws, local_aws):
    assert "No role assumed" in aws.run("%awsrole").ok().plain
    assume_marketing(aws, local_aws)
    status = aws.run("%awsrole").ok()
    html = "".join(b.get("text/html", "") for b in status.outputs)
    assert "arn:aws:iam::123456789012:role/marketingadminrole" in html and "left" in html
    listing = aws.run("%awsrole --list").ok().plain
    row = next(line for line in listing.splitlines() if line.startswith("*marketingadmin"))
    assert "role" in row and "marketingadminrole" in row and "session open" in row and "us-east-1" in row
    assert "credential_source=Environment" in listing
    reply = aws.kc.complete("%awsrole mark", 13, reply=True, timeout=30)
    assert "marketingadmin" in reply["content"]["matches"]


def test_kernel_restart_and_the_aws_cli_share_the_cache(aws, local_aws, kernel_env, home):
    assume_marketing(aws, local_aws)
    cache_files = list((home / ".aws" / "cli" / "cache").glob("*.json"))
    assert cache_files and all(oct(p.stat().st_mode & 0o777) == "0o600" for p in cache_files)
    aws.restart()
    again = aws.run("%load_ext jupyter_awsrole\n%awsrole marketingadmin").ok()
    assert again.prompts == []
    cli = cli_whoami(kernel_env, "marketingadmin")
    assert "assumed-role/marketingadminrole/" in cli.stdout, cli.stderr


def test_a_session_the_aws_cli_opened_is_reused_without_a_prompt(aws, local_aws, kernel_env):
    cli = cli_whoami(kernel_env, "reporting", local_aws.mfa_code())
    assert "assumed-role/reportingrole/" in cli.stdout, cli.stderr
    run = aws.run("%awsrole reporting").ok()
    assert run.prompts == []
    assert "assumed-role/reportingrole/" in aws.run(WHOAMI).ok().stdout


def test_refresh_without_a_prompt_inside_the_mfa_session(aws, local_aws):
    assume_marketing(aws, local_aws)
    first = aws.run(KEY_DIGEST).ok().stdout
    aws.run("import boto3; early = boto3.client('s3')").ok()
    aws.run("%config AwsRole.refresh_margin_seconds = 3597").ok()
    deadline = time.time() + 30
    while aws.run(KEY_DIGEST).ok().stdout == first:
        assert time.time() < deadline, "no refresh happened"
        time.sleep(1)
    aws.run("%config AwsRole.refresh_margin_seconds = 1200").ok()
    assert all(not r.prompts for r in aws.runs[2:])
    assert "assumed-role/marketingadminrole/" in aws.run(WHOAMI).ok().stdout
    aws.run("print(len(early.list_objects_v2(Bucket='marketing-data')['Contents']))").ok()


def test_told_before_the_cell_when_renewal_needs_a_code(aws, local_aws):
    aws.run("%config AwsRole.mfa_session_seconds = 0").ok()
    assume_marketing(aws, local_aws)
    aws.run("%config AwsRole.refresh_margin_seconds = 3597").ok()
    deadline = time.time() + 30
    while "needs a new MFA code" not in aws.run("1").stderr:
        assert time.time() < deadline, "the user was never told"
        time.sleep(1)
    assert "assumed-role/marketingadminrole/" in aws.run(WHOAMI).ok().stdout


def test_mfa_token_never_lands_in_history(aws, local_aws, home):
    code = local_aws.mfa_code()
    aws.run(f"%awsrole marketingadmin --mfa-token {code}").ok()
    history = aws.run("print(In[-2]); print(_i)").ok().stdout
    assert_no_leak({code}, history, "In and _i")
    assert "******" in history
    aws.run("get_ipython().history_manager.writeout_cache()").ok()
    db = next((home / ".ipython").rglob("history.sqlite"))
    rows = sqlite3.connect(db).execute("select source, source_raw from history").fetchall()
    assert rows
    assert_no_leak({code}, rows, "history.sqlite")


def test_no_secret_in_any_output(aws, local_aws, home):
    assume_marketing(aws, local_aws)
    aws.run("%awsrole reporting").ok()
    aws.run("%awsrole").ok()
    aws.run("%awsrole --list").ok()
    aws.run("import jupyter_awsrole; print(repr(jupyter_awsrole.current())); jupyter_awsrole.current()").ok()
    aws.run("%awsrole nosuch")
    aws.run("%awsrole --unset").ok()
    secrets = secrets_in_play(local_aws, home)
    assert len(secrets) >= 6
    for index, run in enumerate(aws.runs):
        assert_no_leak(secrets, run.messages, f"the messages of execution {index}")


def test_python_api_with_a_code_function_and_a_scoped_role(aws, local_aws):
    code = local_aws.mfa_code()
    run = aws.run(
        "import jupyter_awsrole\n"
        f"asked = []\nstate = jupyter_awsrole.assume('marketingadmin', mfa=lambda serial: asked.append(serial) or '{code}')\n"
        "print(state.role_name, state.account, asked)\n"
        "with jupyter_awsrole.role('analyst') as inner:\n"
        "    print('inside', inner.role_name)\n"
        "print('after', jupyter_awsrole.current().role_name)"
    ).ok()
    assert run.prompts == []
    assert f"marketingadminrole 123456789012 ['{local_aws.mfa_serial}']" in run.stdout
    assert "inside analystrole" in run.stdout and "after marketingadminrole" in run.stdout
    assert "assumed-role/marketingadminrole/" in aws.run(WHOAMI).ok().stdout


def test_the_disk_cache_can_be_turned_off(aws, home):
    aws.run("%config AwsRole.cache = False").ok()
    aws.run("%awsrole analyst").ok()
    cache = home / ".aws" / "cli" / "cache"
    assert not cache.exists() or not list(cache.iterdir())
    aws.run("%config AwsRole.cache = True\n%awsrole analyst --refresh").ok()
    assert list(cache.glob("*.json"))
