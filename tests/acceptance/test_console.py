"""`%awsrole --console`: a real kernel's role signs in at the federation stand-in of the local AWS, the link
never shows, and credentials AWS does not federate get one line."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import boto3
import pytest

from jupyter_awsrole.console import NO_ROLE
from jupyter_awsrole.magics import NO_CONSOLE_FRONT_END, AwsRoleMagics
from tests.support.configured import kernel_with_profiles
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel


def catch_links(folder: Path) -> str:
    """Kernel code standing in for the lab: comm.open_console keeps the link in a file (no output) and says a
    front end listens; `visit()` then opens the newest link as a browser would and prints who the page names."""
    return (
        "import json, pathlib, urllib.error, urllib.request\n"
        "from jupyter_awsrole import comm\n"
        f"_links = pathlib.Path({str(folder / 'links.jsonl')!r})\n"
        "def _catch(link):\n"
        "    with _links.open('a') as f:\n"
        "        f.write(json.dumps({'url': link.url, 'profile': link.profile}) + '\\n')\n"
        "    return True\n"
        "comm.open_console = _catch\n"
        "def visit():\n"
        "    url = json.loads(_links.read_text().splitlines()[-1])['url']\n"
        "    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
        "    try:\n"
        "        page = opener.open(url, timeout=20).read().decode()\n"
        "    except urllib.error.HTTPError as exc:\n"
        "        print('refused', exc.code)\n"
        "    else:\n"
        "        print('signed in', page.split(\"data-role='\")[1].split(\"'\")[0])\n"
        "    del url\n"
    )


def links(folder: Path) -> list[dict[str, str]]:
    path = folder / "links.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sign_in_tokens(folder: Path) -> set[str]:
    return {dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(x["url"]).query))["SigninToken"] for x in links(folder)}


def everything_shown(kernel: Any, home: Path) -> list[Any]:
    """Every message of every cell, and the history database."""
    kernel.run("get_ipython().history_manager.writeout_cache()").ok()
    db = next((home / ".ipython").rglob("history.sqlite"))
    rows = sqlite3.connect(db).execute("select source, source_raw from history").fetchall()
    return [[run.messages for run in kernel.runs], rows]


def test_a_role_opens_the_console_and_nothing_shows_the_link(kernel, local_aws, home, tmp_path):
    k = kernel
    k.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    k.run(catch_links(tmp_path)).ok()
    before = local_aws.federation("GET", "stats")["logins"]
    said = k.run("%awsrole --console s3").ok()
    assert said.stdout.strip() == "Opening the AWS console as analyst (link valid 15 minutes)."
    (link,) = links(tmp_path)
    assert link["profile"] == "analyst" and link["url"].startswith(local_aws.signin_url + "?Action=login")
    assert k.run("visit()").ok().stdout.strip() == "signed in analystrole"
    login = local_aws.federation("GET", "stats")["logins"][len(before) :]
    assert [x["arn"].split("/")[1] for x in login] == ["analystrole"]
    assert login[0]["destination"] == "https://console.aws.amazon.com/s3/home?region=us-east-1"
    assert 900 <= login[0]["session_seconds"] <= 3600  # the credentials' time left (an hour at most here)
    assert "refused" in k.run("visit()").ok().stdout  # the link works once
    secrets = secrets_in_play(local_aws, home) | sign_in_tokens(tmp_path)
    assert len(secrets) > 3
    assert_no_leak(secrets, everything_shown(k, home), "the kernel's messages and history")


def test_without_a_listening_front_end_one_line_and_no_link(kernel, local_aws):
    k = kernel
    k.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    k.run("from jupyter_awsrole import comm; comm.open_console = lambda link: False").ok()
    said = k.run("%awsrole --console").ok()
    assert said.stdout.strip() == NO_CONSOLE_FRONT_END
    assert "federation" not in said.text and "SigninToken" not in said.text


def test_no_role_and_wrong_lines_are_one_line_errors(kernel, local_aws):
    assert "%awsrole --console [SERVICE]" in (AwsRoleMagics.awsrole.__doc__ or "")  # what `%awsrole?` shows
    k = kernel
    k.run("%load_ext jupyter_awsrole").ok()
    calls = local_aws.federation("GET", "stats")["calls"].get("getSigninToken", 0)
    assert NO_ROLE in k.run("%awsrole --console").text
    assert "one service at most" in k.run("%awsrole --console s3 ec2").text
    assert "--console takes no --region" in k.run("%awsrole --console --region eu-west-1").text
    assert "--list and --console cannot be used together" in k.run("%awsrole --list --console").text
    k.run("%awsrole analyst").ok()
    assert "service must be" in k.run("%awsrole --console 's3/../iam'").text
    assert local_aws.federation("GET", "stats")["calls"].get("getSigninToken", 0) == calls  # nothing was asked


def test_credentials_aws_does_not_federate_get_one_line(kernel_env, local_aws, tmp_path):
    keys = dict(line.split(" = ", 1) for line in local_aws.credentials_file.read_text().splitlines() if " = " in line)
    session = (
        boto3.Session(
            aws_access_key_id=keys["aws_access_key_id"],
            aws_secret_access_key=keys["aws_secret_access_key"],
            region_name="us-east-1",
        )
        .client("sts", endpoint_url=local_aws.endpoint)
        .get_session_token(DurationSeconds=3600)["Credentials"]
    )
    text = (
        f"\n[profile withsession]\naws_access_key_id = {session['AccessKeyId']}\n"
        f"aws_secret_access_key = {session['SecretAccessKey']}\naws_session_token = {session['SessionToken']}\n"
        f"region = us-east-1\nendpoint_url = {local_aws.endpoint}\n"
    )
    calls = local_aws.federation("GET", "stats")["calls"].get("getSigninToken", 0)
    with kernel_with_profiles(kernel_env, local_aws, tmp_path, text) as k:
        k.run("%load_ext jupyter_awsrole\n%awsrole user1").ok()
        refused = k.run("%awsrole --console")
        assert refused.error is not None and "long-term access keys" in refused.text
        assert len([line for line in refused.error["evalue"].splitlines() if line.strip()]) == 1
        k.run("%awsrole withsession").ok()
        refused = k.run("%awsrole --console")
        assert "GetSessionToken" in refused.text and "role_arn" in refused.text
        shown = [run.messages for run in k.runs]
    assert local_aws.federation("GET", "stats")["calls"].get("getSigninToken", 0) == calls  # refused before asking
    assert_no_leak({session["SecretAccessKey"], session["SessionToken"], *keys.values()}, shown, "the cells")


def test_a_role_chain_signs_in_for_an_hour_at_most(kernel, local_aws, tmp_path):
    k = kernel
    k.run(f"%load_ext jupyter_awsrole\n%awsrole reporting --mfa-token {local_aws.mfa_code()}").ok()
    k.run(catch_links(tmp_path)).ok()
    before = local_aws.federation("GET", "stats")["logins"]
    assert "Opening the AWS console as reporting" in k.run("%awsrole --console").ok().stdout
    assert k.run("visit()").ok().stdout.strip() == "signed in reportingrole"
    (login,) = local_aws.federation("GET", "stats")["logins"][len(before) :]
    assert login["destination"] == "https://console.aws.amazon.com/"
    assert login["session_seconds"] is None or login["session_seconds"] <= 3600
