"""The federation stand-in as a plain HTTP client sees it, with credentials of the real local AWS."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import boto3
import pytest

from jupyter_awsrole.localaws.account import MFA_SERIAL, REPORTING_EXTERNAL_ID, role_arn
from jupyter_awsrole.loopback import DIRECT
from tests.support.leaks import assert_no_leak


def call(url: str, params: dict[str, str]) -> tuple[int, str]:
    try:
        with DIRECT.open(f"{url}?{urllib.parse.urlencode(params)}", timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def session_of(creds: dict[str, Any]) -> str:
    return json.dumps(
        {
            "sessionId": creds["AccessKeyId"],
            "sessionKey": creds["SecretAccessKey"],
            "sessionToken": creds.get("SessionToken"),
        }
    )


def sts(local_aws: Any, creds: dict[str, Any] | None = None) -> Any:
    if creds is None:
        env = json.loads((local_aws.state_dir / "env.json").read_text())  # ci-bot's long-term keys
        creds = {"AccessKeyId": env["AWS_ACCESS_KEY_ID"], "SecretAccessKey": env["AWS_SECRET_ACCESS_KEY"]}
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        region_name="us-east-1",
    ).client("sts", endpoint_url=local_aws.endpoint)


def user1(local_aws: Any) -> dict[str, str]:
    lines = dict(line.split(" = ", 1) for line in local_aws.credentials_file.read_text().splitlines() if " = " in line)
    return {"AccessKeyId": lines["aws_access_key_id"], "SecretAccessKey": lines["aws_secret_access_key"]}


def token_for(local_aws: Any, creds: dict[str, Any], duration: int | None = None) -> tuple[int, str]:
    params = {"Action": "getSigninToken", "Session": session_of(creds)}
    if duration is not None:
        params["SessionDuration"] = str(duration)
    return call(local_aws.signin_url, params)


def login(local_aws: Any, token: str) -> tuple[int, str]:
    return call(
        local_aws.signin_url,
        {"Action": "login", "Issuer": "test", "Destination": "https://console.aws.amazon.com/", "SigninToken": token},
    )


def test_it_listens_on_loopback_only(local_aws):
    assert local_aws.signin_url.startswith("http://127.0.0.1:") and local_aws.signin_url.endswith("/federation")


def test_a_role_session_signs_in_once(local_aws):
    creds = sts(local_aws).assume_role(RoleArn=role_arn("envrole"), RoleSessionName="console-test")["Credentials"]
    status, body = token_for(local_aws, creds, 7200)
    assert status == 200, body
    token = json.loads(body)["SigninToken"]
    status, page = login(local_aws, token)
    assert status == 200 and "data-role='envrole'" in page and "data-account='123456789012'" in page
    assert_no_leak({creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], token}, page, "the page")
    assert login(local_aws, token)[0] == 400  # single use
    stats = local_aws.federation("GET", "stats")
    assert_no_leak({creds["SecretAccessKey"], creds["SessionToken"], token}, stats, "the stats")


def test_an_expired_token_is_refused(local_aws):
    creds = sts(local_aws).assume_role(RoleArn=role_arn("envrole"), RoleSessionName="console-test")["Credentials"]
    token = json.loads(token_for(local_aws, creds)[1])["SigninToken"]
    local_aws.federation("POST", "advance?seconds=901")  # 15 minutes and a second later
    try:
        status, text = login(local_aws, token)
    finally:
        local_aws.federation("POST", "advance?seconds=-901")
    assert status == 400 and "expired" in text


def test_long_term_keys_and_session_token_credentials_are_refused(local_aws):
    keys = user1(local_aws)
    status, text = token_for(local_aws, keys)
    assert status == 400 and "Long-term" in text
    session = sts(local_aws, keys).get_session_token(DurationSeconds=900)["Credentials"]
    status, text = token_for(local_aws, session)
    assert status == 400 and "GetSessionToken" in text


def test_credentials_the_local_aws_does_not_know_are_refused(local_aws):
    creds = sts(local_aws).assume_role(RoleArn=role_arn("envrole"), RoleSessionName="console-test")["Credentials"]
    status, text = token_for(local_aws, {**creds, "SecretAccessKey": "x" * 40})
    assert status == 400 and "refused" in text
    status, text = token_for(local_aws, {**creds, "SessionToken": "not-the-token"})
    assert status == 400


@pytest.mark.parametrize("duration, status", [(7200, 400), (3600, 200), (None, 200)])
def test_a_role_chain_gets_an_hour_at_most_as_in_aws(local_aws, duration, status):
    admin = sts(local_aws, user1(local_aws)).assume_role(
        RoleArn=role_arn("marketingadminrole"),
        RoleSessionName="console-test",
        SerialNumber=MFA_SERIAL,
        TokenCode=local_aws.mfa_code(),
    )["Credentials"]
    assert token_for(local_aws, admin, 7200)[0] == 200  # assumed with long-term keys: no chain
    chained = sts(local_aws, admin).assume_role(
        RoleArn=role_arn("reportingrole"), RoleSessionName="console-test", ExternalId=REPORTING_EXTERNAL_ID
    )["Credentials"]
    answer, text = token_for(local_aws, chained, duration)
    assert answer == status, text
