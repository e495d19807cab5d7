"""The local AWS over HTTP: IAM enforcement from moto, honest MFA and STS rules from the gate."""

from __future__ import annotations

import configparser
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_awsrole.localaws import LocalAws
from jupyter_awsrole.loopback import DIRECT

ACCOUNT = "123456789012"
MARKETING_ADMIN = f"arn:aws:iam::{ACCOUNT}:role/marketingadminrole"
ANALYST = f"arn:aws:iam::{ACCOUNT}:role/analystrole"
REPORTING = f"arn:aws:iam::{ACCOUNT}:role/reportingrole"
ENVROLE = f"arn:aws:iam::{ACCOUNT}:role/envrole"
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory):
    with LocalAws.start(tmp_path_factory.mktemp("localaws")) as aws:
        yield aws


@pytest.fixture(scope="module")
def user1(local_aws: LocalAws) -> boto3.Session:
    parser = configparser.ConfigParser()
    parser.read(local_aws.credentials_file)
    keys = parser["user1"]
    return _session(local_aws, keys["aws_access_key_id"], keys["aws_secret_access_key"])


def _session(aws: LocalAws, key: str, secret: str, token: str | None = None) -> boto3.Session:
    session = boto3.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token, region_name="us-east-1"
    )
    session.endpoint = aws.endpoint  # type: ignore[attr-defined]
    return session


def _client(session: boto3.Session, service: str, config: Config | None = None):
    return session.client(service, endpoint_url=session.endpoint, config=config)  # type: ignore[attr-defined]


def _assume(aws: LocalAws, session: boto3.Session, role_arn: str, **kwargs) -> boto3.Session:
    result = _client(session, "sts").assume_role(RoleArn=role_arn, RoleSessionName="test-session", **kwargs)
    creds = result["Credentials"]
    return _session(aws, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _with_mfa(aws: LocalAws) -> dict[str, str]:
    return {"SerialNumber": aws.mfa_serial, "TokenCode": aws.mfa_code()}


def test_state_and_sandbox_files(local_aws: LocalAws) -> None:
    state = json.loads((local_aws.state_dir / "localaws.json").read_text())
    assert state["ready"] is True
    assert state["pid"] == local_aws.pid
    assert state["endpoint"] == local_aws.endpoint.rstrip("/")
    assert local_aws.account_id == ACCOUNT
    assert local_aws.mfa_serial == f"arn:aws:iam::{ACCOUNT}:mfa/user1"
    for secret in ("credentials", "mfa-seed", "env.json"):
        assert stat.S_IMODE((local_aws.state_dir / secret).stat().st_mode) == 0o600
    config = configparser.ConfigParser()
    config.read(local_aws.config_file)
    assert config["profile marketingadmin"]["role_arn"] == MARKETING_ADMIN
    assert config["profile marketingadmin"]["source_profile"] == "user1"
    assert config["profile marketingadmin"]["mfa_serial"] == local_aws.mfa_serial
    assert config["profile reporting"]["source_profile"] == "marketingadmin"
    assert config["profile reporting"]["external_id"] == "reporting-2026"
    assert config["profile ci"]["credential_source"] == "Environment"
    for name in ("user1", "marketingadmin", "analyst", "reporting", "ci"):
        assert config[f"profile {name}"]["region"] == "us-east-1"
        assert config[f"profile {name}"]["endpoint_url"] == local_aws.endpoint


def test_env_points_at_sandbox_only(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-elses")
    env = local_aws.env()
    assert env["AWS_CONFIG_FILE"] == str(local_aws.config_file)
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == str(local_aws.credentials_file)
    assert env["AWS_ENDPOINT_URL"] == local_aws.endpoint
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_ACCESS_KEY_ID"].startswith("AKIA")
    assert "AWS_PROFILE" not in env


def test_mfa_codes_handed_out_are_distinct_and_each_works_once(local_aws: LocalAws, user1: boto3.Session) -> None:
    codes = [local_aws.mfa_code() for _ in range(4)]  # more than the three windows accepted at once
    wrong = local_aws.wrong_mfa_code()
    assert all(len(c) == 6 and c.isdigit() for c in [*codes, wrong])
    assert len(set(codes)) == 4 and wrong not in codes
    printed = subprocess.run(
        [sys.executable, "-m", "jupyter_awsrole.localaws", "mfa-code", "--state-dir", str(local_aws.state_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed.isdigit() and printed not in codes
    for code in [*codes[-2:], printed]:
        _assume(local_aws, user1, MARKETING_ADMIN, SerialNumber=local_aws.mfa_serial, TokenCode=code)


def test_used_mfa_code_is_refused_as_aws_does(local_aws: LocalAws, user1: boto3.Session) -> None:
    mfa = _with_mfa(local_aws)
    assert _client(user1, "sts").get_session_token(**mfa)["Credentials"]["AccessKeyId"].startswith("ASIA")
    for again in (
        lambda: _assume(local_aws, user1, MARKETING_ADMIN, **mfa),  # another action, the same window
        lambda: _client(user1, "sts").get_session_token(**mfa),
    ):
        with pytest.raises(ClientError) as excinfo:
            again()
        assert _error(excinfo) == (
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        )
    assert _assume(local_aws, user1, MARKETING_ADMIN, **_with_mfa(local_aws))  # a fresh code still works


def test_mfa_reuse_switch_for_benchmarks(local_aws: LocalAws, user1: boto3.Session) -> None:
    mfa = _with_mfa(local_aws)
    try:
        local_aws.allow_mfa_reuse(True)
        for _ in range(3):
            _assume(local_aws, user1, MARKETING_ADMIN, **mfa)
    finally:
        local_aws.allow_mfa_reuse(False)
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, user1, MARKETING_ADMIN, **mfa)
    assert _error(excinfo)[0] == "AccessDenied"


def test_user1_is_user1_and_denied_s3(local_aws: LocalAws, user1: boto3.Session) -> None:
    assert _client(user1, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/user1"
    with pytest.raises(ClientError) as excinfo:
        _client(user1, "s3").list_buckets()
    assert _error(excinfo)[0] == "AccessDenied"


def test_marketingadmin_without_mfa_denied(local_aws: LocalAws, user1: boto3.Session) -> None:
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, user1, MARKETING_ADMIN)
    assert _error(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/user1 is not authorized to perform: sts:AssumeRole "
        f"on resource: {MARKETING_ADMIN}",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_marketingadmin_wrong_code_denied(local_aws: LocalAws, user1: boto3.Session) -> None:
    with pytest.raises(ClientError) as excinfo:
        _assume(
            local_aws, user1, MARKETING_ADMIN, SerialNumber=local_aws.mfa_serial, TokenCode=local_aws.wrong_mfa_code()
        )
    assert _error(excinfo) == ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")


def test_unknown_mfa_device_denied(local_aws: LocalAws, user1: boto3.Session) -> None:
    with pytest.raises(ClientError) as excinfo:
        _assume(
            local_aws,
            user1,
            MARKETING_ADMIN,
            SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/nobody",
            TokenCode=local_aws.mfa_code(),
        )
    assert _error(excinfo) == ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.")


def test_marketingadmin_right_code_reads_campaigns(local_aws: LocalAws, user1: boto3.Session) -> None:
    admin = _assume(local_aws, user1, MARKETING_ADMIN, **_with_mfa(local_aws))
    assert _client(admin, "sts").get_caller_identity()["Arn"] == (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/marketingadminrole/test-session"
    )
    s3 = _client(admin, "s3")
    lines = s3.get_object(Bucket="marketing-data", Key="campaigns.csv")["Body"].read().decode().splitlines()
    assert lines[0] == "campaign_id,date,channel,region,impressions,clicks,spend,conversions"
    assert len(lines) == 3001
    assert s3.head_object(Bucket="marketing-data", Key="campaigns.parquet")["ContentLength"] > 0
    with pytest.raises(ClientError):
        s3.get_object(Bucket="analytics-data", Key="sessions.csv")


def test_marketingadmin_duration_limits(local_aws: LocalAws, user1: boto3.Session) -> None:
    _assume(local_aws, user1, MARKETING_ADMIN, DurationSeconds=43200, **_with_mfa(local_aws))
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, user1, MARKETING_ADMIN, DurationSeconds=43201, **_with_mfa(local_aws))
    assert _error(excinfo) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )


def test_session_token_acts_as_user1(local_aws: LocalAws, user1: boto3.Session) -> None:
    creds = _client(user1, "sts").get_session_token(**_with_mfa(local_aws))["Credentials"]
    session = _session(local_aws, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert _client(session, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/user1"

    admin = _assume(local_aws, session, MARKETING_ADMIN, DurationSeconds=3600)
    assert _client(admin, "s3").get_object(Bucket="marketing-data", Key="campaigns.csv")["ContentLength"] > 0
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, session, MARKETING_ADMIN, DurationSeconds=7200)
    assert _error(excinfo) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )


def test_session_token_limits(local_aws: LocalAws, user1: boto3.Session) -> None:
    creds = _client(user1, "sts").get_session_token()["Credentials"]
    session = _session(local_aws, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, session, MARKETING_ADMIN)  # a session without MFA does not satisfy the trust policy
    assert _error(excinfo)[0] == "AccessDenied"
    assert _assume(local_aws, session, ANALYST)
    with pytest.raises(ClientError) as excinfo:
        _client(session, "sts").get_session_token()
    assert _error(excinfo) == ("AccessDenied", "Cannot call GetSessionToken with session credentials")
    with pytest.raises(ClientError) as excinfo:
        _client(session, "iam").list_users()
    assert _error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        _session(local_aws, creds["AccessKeyId"], creds["SecretAccessKey"], "forged-token").client(
            "sts", endpoint_url=local_aws.endpoint
        ).get_caller_identity()
    assert _error(excinfo)[0] == "InvalidClientTokenId"


def test_analyst_reads_analytics_not_marketing(local_aws: LocalAws, user1: boto3.Session) -> None:
    s3 = _client(_assume(local_aws, user1, ANALYST), "s3")
    assert s3.get_object(Bucket="analytics-data", Key="sessions.csv")["ContentLength"] > 0
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="marketing-data", Key="campaigns.csv")
    assert _error(excinfo)[0] == "AccessDenied"


def test_reporting_role_chain(local_aws: LocalAws, user1: boto3.Session) -> None:
    admin = _assume(local_aws, user1, MARKETING_ADMIN, **_with_mfa(local_aws))
    reporting = _assume(local_aws, admin, REPORTING, ExternalId="reporting-2026")
    assert _client(reporting, "s3").get_object(Bucket="marketing-data", Key="campaigns.csv")["ContentLength"] > 0
    for wrong in ({"ExternalId": "guess"}, {}):
        with pytest.raises(ClientError) as excinfo:
            _assume(local_aws, admin, REPORTING, **wrong)
        assert _error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, admin, REPORTING, ExternalId="reporting-2026", DurationSeconds=3601)
    assert _error(excinfo)[0] == "ValidationError"
    with pytest.raises(ClientError) as excinfo:
        _assume(local_aws, user1, REPORTING, ExternalId="reporting-2026")
    assert _error(excinfo)[0] == "AccessDenied"


def test_ci_bot_assumes_envrole(local_aws: LocalAws) -> None:
    env = local_aws.env()
    ci = _session(local_aws, env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
    assert _client(ci, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ci-bot"
    role = _assume(local_aws, ci, ENVROLE)
    assert _client(role, "s3").get_object(Bucket="analytics-data", Key="sessions.csv")["ContentLength"] > 0
    with pytest.raises(ClientError):
        _assume(local_aws, ci, MARKETING_ADMIN, **_with_mfa(local_aws))


def test_stats_count_sts_calls(local_aws: LocalAws, user1: boto3.Session) -> None:
    local_aws.reset_stats()
    sts = _client(user1, "sts")
    sts.get_caller_identity()
    _assume(local_aws, user1, ANALYST)
    with pytest.raises(ClientError):
        wrong = {"SerialNumber": local_aws.mfa_serial, "TokenCode": local_aws.wrong_mfa_code()}
        _assume(local_aws, user1, MARKETING_ADMIN, **wrong)
    _assume(local_aws, user1, MARKETING_ADMIN, **_with_mfa(local_aws))
    stats = local_aws.stats()
    assert stats["sts"] == {"GetCallerIdentity": 1, "AssumeRole": 3}
    assert (stats["mfa_checked"], stats["mfa_rejected"]) == (2, 1)
    local_aws.reset_stats()
    assert local_aws.stats()["sts_total"] == 0


def test_faults(local_aws: LocalAws, user1: boto3.Session) -> None:
    sts = _client(user1, "sts", NO_RETRIES)
    try:
        local_aws.set_fault("throttle")
        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
        assert _error(excinfo) == ("Throttling", "Rate exceeded")

        local_aws.set_fault("hang")
        answered = threading.Event()
        caller = threading.Thread(target=lambda: (sts.get_caller_identity(), answered.set()))
        caller.start()
        assert not answered.wait(0.5)
        local_aws.set_fault("ok")
        assert answered.wait(5)
        caller.join()
    finally:
        local_aws.set_fault("ok")


def test_aws_cli_uses_sandbox_files(local_aws: LocalAws, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(local_aws.env(), HOME=str(tmp_path))  # the CLI caches assumed roles under ~/.aws
    aws = Path(sys.executable).with_name("aws")
    result = subprocess.run(
        [str(aws), "sts", "get-caller-identity", "--profile", "analyst", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/analystrole/")


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    started = time.monotonic()
    aws = LocalAws.start(tmp_path)
    assert time.monotonic() - started < 30
    pid = aws.pid
    os.kill(pid, 0)
    aws.stop()
    aws.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert json.loads((tmp_path / "localaws.json").read_text())["ready"] is False


# -- Session policies (moto_patches.install_session_policies) ----------------------------------------------


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_GET = _document({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
ONLY_LIST = _document({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
EVERYTHING = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})


def _denied(call) -> bool:
    try:
        call()
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied", exc
        return True
    return False


def _reads(s3) -> tuple[bool, bool, bool]:
    """(get analytics, list analytics, get marketing), each True when allowed."""
    return (
        not _denied(lambda: s3.get_object(Bucket="analytics-data", Key="sessions.csv")),
        not _denied(lambda: s3.list_objects_v2(Bucket="analytics-data")),
        not _denied(lambda: s3.get_object(Bucket="marketing-data", Key="campaigns.csv")),
    )


def test_a_session_policy_narrows_what_the_role_may_do_and_never_widens_it(
    local_aws: LocalAws, user1: boto3.Session
) -> None:
    assert _reads(_client(_assume(local_aws, user1, ANALYST), "s3")) == (True, True, False)
    # A deny alone allows nothing: AWS grants only what the session policy allows too.
    assert _reads(_client(_assume(local_aws, user1, ANALYST, Policy=DENY_GET), "s3")) == (False, False, False)
    assert _reads(_client(_assume(local_aws, user1, ANALYST, Policy=ONLY_LIST), "s3")) == (False, True, False)
    assert _reads(_client(_assume(local_aws, user1, ANALYST, Policy=EVERYTHING), "s3")) == (True, True, False)
    allow_but_get = _document(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
    )
    assert _reads(_client(_assume(local_aws, user1, ANALYST, Policy=allow_but_get), "s3")) == (False, True, False)


def test_a_narrowed_session_still_says_who_it_is_and_its_chain_is_narrowed(
    local_aws: LocalAws, user1: boto3.Session
) -> None:
    admin = _assume(local_aws, user1, MARKETING_ADMIN, Policy=ONLY_LIST, **_with_mfa(local_aws))
    assert ":assumed-role/marketingadminrole/" in _client(admin, "sts").get_caller_identity()["Arn"]
    with pytest.raises(ClientError) as excinfo:  # the role may assume reportingrole; the session policy may not
        _assume(local_aws, admin, REPORTING, ExternalId="reporting-2026")
    assert _error(excinfo)[0] == "AccessDenied"


def test_policy_arns_narrow_too_and_an_unknown_one_grants_nothing(local_aws: LocalAws, user1: boto3.Session) -> None:
    arns = [{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]  # AWS-managed: not loaded in the local AWS
    assert _reads(_client(_assume(local_aws, user1, ANALYST, PolicyArns=arns), "s3")) == (False, False, False)
    both = _client(_assume(local_aws, user1, ANALYST, PolicyArns=arns, Policy=ONLY_LIST), "s3")
    assert _reads(both) == (False, True, False)  # session policies together: what any of them allows


def test_tags_and_source_identity_reach_sts_and_are_kept(local_aws: LocalAws, user1: boto3.Session) -> None:
    sts = _client(user1, "sts")
    answer = sts.assume_role(
        RoleArn=ANALYST,
        RoleSessionName="tagged",
        Tags=[{"Key": "team", "Value": "data"}, {"Key": "cost center", "Value": "42"}],
        SourceIdentity="ada@example.com",
    )
    assert answer["SourceIdentity"] == "ada@example.com"
    assert "SourceIdentity" not in sts.assume_role(RoleArn=ANALYST, RoleSessionName="plain")
    kept = _assumed_roles(local_aws)[answer["Credentials"]["AccessKeyId"]]
    assert kept["session_tags"] == {"team": "data", "cost center": "42"}
    assert kept["source_identity"] == "ada@example.com" and kept["policy_arns"] == []


def _assumed_roles(aws: LocalAws) -> dict[str, dict]:
    """What moto keeps of each AssumeRole session, by access key (moto's own model dump)."""
    with DIRECT.open(f"{aws.endpoint}/moto-api/data.json", timeout=10) as response:
        models = json.load(response)
    return {role["access_key_id"]: role for role in models["sts"]["AssumedRole"]}
