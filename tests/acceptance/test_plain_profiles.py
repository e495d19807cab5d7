"""Profiles without a role (static keys, credential_process) as targets: installed, served and renewed like roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.aws_cli import cli_whoami
from tests.support.cells import WHOAMI
from tests.support.configured import kernel_with_profiles
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

USER1 = "arn:aws:iam::123456789012:user/user1"
# What the endpoint serves is what current() holds (long-term keys have no token: served as "").
SERVED = (
    "import os, json, urllib.request, jupyter_awsrole\n"
    "s = jupyter_awsrole.current(); c = s.credentials\n"
    "r = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'],"
    " headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n"
    "d = json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(r))\n"
    "same = (d['AccessKeyId'], d['SecretAccessKey'], d['Token']) == (c.access_key_id, c.secret_access_key,"
    " c.session_token or '')\n"
    "del d, r\n"
    "print('active', s.profile, 'consistent', same, 'expires', bool(s.expiration))"
)


@pytest.fixture
def plain(kernel_env, local_aws, tmp_path):
    """A kernel whose config adds a credential_process profile that prints user1's keys."""
    creds = Path(local_aws.credentials_file).read_text().splitlines()
    key = next(line.split("=", 1)[1].strip() for line in creds if line.startswith("aws_access_key_id"))
    secret = next(line.split("=", 1)[1].strip() for line in creds if line.startswith("aws_secret_access_key"))
    script = tmp_path / "creds.sh"
    script.write_text(
        "#!/bin/sh\n" + f"echo '{json.dumps({'Version': 1, 'AccessKeyId': key, 'SecretAccessKey': secret})}'\n"
    )
    script.chmod(0o700)
    text = f"\n[profile byprocess]\ncredential_process = {script}\nregion = eu-west-1\nendpoint_url = {local_aws.endpoint}\n"
    with kernel_with_profiles(kernel_env, local_aws, tmp_path, text) as k:
        yield k


def test_static_keys_and_a_credential_process_are_targets_served_by_the_endpoint(plain, local_aws, home):
    k = plain
    local_aws.reset_stats()
    said = k.run("%load_ext jupyter_awsrole\n%awsrole user1").ok().stdout
    assert "Now user1 in account 123456789012 (profile user1" in said
    assert said.rstrip().endswith("; long-term keys, no expiry."), said  # not the hour after which it reads them again
    assert local_aws.stats()["sts"] == {"GetCallerIdentity": 1}  # who the keys are; no AssumeRole
    assert k.run(WHOAMI).ok().stdout.strip() == USER1
    assert k.run(SERVED).ok().stdout.strip() == "active user1 consistent True expires True"
    env = json.loads(k.run("import os, json; print(json.dumps(dict(os.environ)))").ok().stdout)
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in env and "AWS_ACCESS_KEY_ID" not in env
    # A subprocess reads the same endpoint path.
    assert cli_whoami({**env, "AWS_PROFILE": ""}, "user1").returncode == 0
    status = k.run("%awsrole").ok().plain
    assert USER1 in status and "never (long-term keys)" in status
    # Long-term credentials do not go into the AWS CLI's assume-role cache.
    assert not list((home / ".aws" / "cli" / "cache").glob("*.json"))

    said = k.run("%awsrole byprocess").ok().stdout
    assert "Now user1 in account 123456789012 (profile byprocess, region eu-west-1)" in said
    assert k.run(WHOAMI).ok().stdout.strip() == USER1
    # A renewal reads the profile again and installs fresh credentials the same way.
    renewed = k.run("import jupyter_awsrole as j; print(j.refresh().profile)").ok().stdout.strip()
    assert renewed == "byprocess"
    assert k.run(SERVED).ok().stdout.strip() == "active byprocess consistent True expires True"
    # and a role on top works as before
    assert "Now analystrole" in k.run("%awsrole analyst").ok().stdout
    secrets = secrets_in_play(local_aws, home)
    for index, run in enumerate(k.runs):
        assert_no_leak(secrets, run.text, f"run {index}")


def test_list_says_what_each_profile_is_and_offers_those_with_credentials(plain):
    k = plain
    listing = k.run("%load_ext jupyter_awsrole\n%awsrole --list").ok().plain
    rows = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert "keys" in rows["user1"] and "static keys" in rows["user1"]
    assert "process" in rows["byprocess"] and "credential_process" in rows["byprocess"]
    names = k.value("[r.name for r in __import__('jupyter_awsrole.manager').manager.get_manager().switchable()]")
    assert "user1" in names and "byprocess" in names and "analyst" in names
