"""Profiles and arguments at the edges, against the local AWS: a profile that is its own source, region names."""

from __future__ import annotations

import configparser
import json

import pytest

from tests.support.cells import AWS_ENV, WHOAMI, env_digest, extend_config
from tests.support.kernel import Kernel

pytestmark = pytest.mark.kernel


def user1_keys(local_aws) -> tuple[str, str]:
    parser = configparser.ConfigParser()
    parser.read(local_aws.credentials_file)
    return parser["user1"]["aws_access_key_id"], parser["user1"]["aws_secret_access_key"]


@pytest.fixture
def self_sourced(kernel_env, local_aws, tmp_path):
    key, secret = user1_keys(local_aws)
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile selfie]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = selfie
aws_access_key_id = {key}
aws_secret_access_key = {secret}
region = us-east-1
endpoint_url = {local_aws.endpoint}
""",
    )
    k = Kernel(kernel_env)
    yield k
    k.stop()


def test_a_profile_that_is_its_own_source_uses_its_keys_and_assumes_once(self_sourced, local_aws):
    k = self_sourced
    local_aws.reset_stats()
    said = k.run("%load_ext jupyter_awsrole\n%awsrole selfie").ok().stdout
    assert "Now analystrole in account 123456789012" in said
    assert local_aws.stats()["sts"] == {"AssumeRole": 1}
    whoami = k.run(WHOAMI).ok().stdout
    assert "assumed-role/analystrole/" in whoami
    # The AWS CLI reads the profile the same way.
    cli = k.run("!aws --profile selfie sts get-caller-identity --query Arn --output text").ok().stdout
    assert "assumed-role/analystrole/" in cli


@pytest.mark.parametrize("region", ["''", "'   '", "'\"eu-west-1\"'", "'eu-west-1\\x00'", "'eu west 1'", "'EU-WEST-1'"])
def test_a_region_that_is_no_region_is_one_line_before_any_sts_call(kernel, local_aws, region):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst\nimport jupyter_awsrole").ok()
    before = env_digest(kernel)
    local_aws.reset_stats()
    error = kernel.run(f"jupyter_awsrole.assume('ci', region={region}, refresh=True)").error or {}
    name, message = error.get("ename"), error.get("evalue", "")
    assert name == "AwsRoleError"
    assert message.startswith("region must look like eu-west-1, not ")
    assert "\n" not in message and "\x00" not in message
    assert local_aws.stats()["sts_total"] == 0
    assert env_digest(kernel) == before


def test_region_names_of_every_partition_are_installed(kernel):
    kernel.run("%load_ext jupyter_awsrole").ok()
    for region in ("eu-west-1", "us-gov-west-1", "cn-north-1"):
        kernel.run(f"%awsrole ci --region {region}").ok()
        env = json.loads(kernel.run(AWS_ENV).ok().stdout)
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == region
    error = kernel.run("%awsrole ci --region EU-WEST-1").error or {}
    name, message = error.get("ename"), error.get("evalue", "")
    assert name == "UsageError" and "region must look like eu-west-1" in message
