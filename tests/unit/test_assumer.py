"""What a narrowed switch sends to STS and where it is cached: apart from the unnarrowed session of the role."""

from __future__ import annotations

import json

import pytest

from jupyter_awsrole.assumer import Assumer, Policy, hop_arguments
from jupyter_awsrole.cache import CredentialCache, assume_role_key
from jupyter_awsrole.errors import AwsRoleError
from jupyter_awsrole.mfa import FixedCode
from jupyter_awsrole.options import Options
from jupyter_awsrole.profiles import Hop, Plan, Profile

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
ARN = "arn:aws:iam::123456789012:policy/read-only"


def hop(name: str, role: str) -> Hop:
    return Hop(Profile(name, {}), f"arn:aws:iam::1:role/{role}", None, None, "s", None, None, None)


def test_narrowing_reaches_the_assume_role_call_as_sts_names_it():
    options = Options.parse({"policy": POLICY, "policy_arns": ARN, "tags": ["team=data"], "source_identity": "ada"})
    args = hop_arguments(hop("p", "r"), options, Policy.from_settings())
    assert args == {
        "RoleArn": "arn:aws:iam::1:role/r",
        "RoleSessionName": "s",
        "Policy": json.dumps(POLICY, separators=(",", ":")),
        "PolicyArns": [{"arn": ARN}],
        "Tags": [{"Key": "team", "Value": "data"}],
        "SourceIdentity": "ada",
    }
    assert hop_arguments(hop("p", "r"), Options(), Policy.from_settings()) == {
        "RoleArn": "arn:aws:iam::1:role/r",
        "RoleSessionName": "s",
    }


def test_a_narrowed_session_and_the_unnarrowed_one_never_share_a_cache_key():
    policy = Policy.from_settings()
    plain = hop_arguments(hop("p", "r"), Options(), policy)
    keys = {assume_role_key(plain["RoleArn"], plain)}
    for narrowing in (
        {"policy": POLICY},
        {"policy_arns": ARN},
        {"tags": "team=data"},
        {"tags": "team=other"},
        {"source_identity": "ada"},
    ):
        args = hop_arguments(hop("p", "r"), Options.parse(narrowing), policy)
        keys.add(assume_role_key(args["RoleArn"], args))
    assert len(keys) == 6
    # the same policy written differently is the same session: botocore's key reads the policy as JSON
    spaced = hop_arguments(hop("p", "r"), Options.parse({"policy": json.dumps(POLICY, indent=2)}), policy)
    packed = hop_arguments(hop("p", "r"), Options.parse({"policy": POLICY}), policy)
    assert assume_role_key(spaced["RoleArn"], spaced) == assume_role_key(packed["RoleArn"], packed)


def test_only_the_last_hop_of_a_chain_is_narrowed(tmp_path):
    plan = Plan(Profile("c", {}), None, None, (hop("a", "first"), hop("c", "last")))
    assumer = Assumer(CredentialCache(str(tmp_path)))
    narrowed = Options.parse({"policy": POLICY, "tags": "a=1"})
    args, keys = assumer._calls(plan, narrowed, Policy.from_settings())
    _, plain_keys = assumer._calls(plan, Options(), Policy.from_settings())
    assert "Policy" not in args[0] and "Tags" not in args[0] and args[1]["Tags"] == [{"Key": "a", "Value": "1"}]
    assert keys[0] == plain_keys[0] and keys[1] != plain_keys[1]  # the first hop's session serves both


def test_a_profile_that_assumes_no_role_refuses_narrowing_rather_than_ignore_it(tmp_path):
    plan = Plan(Profile("keys", {"aws_access_key_id": "AKIA"}), None, None, ())
    assumer = Assumer(CredentialCache(str(tmp_path)))
    with pytest.raises(AwsRoleError) as caught:  # raised before any credential is read or STS called
        assumer.resolve(plan, FixedCode("123456"), {}, Options.parse({"tags": "a=1", "source_identity": "ada"}))
    assert str(caught.value) == "tags narrows an assumed role's session; profile 'keys' assumes no role."
    assert caught.value.field == "tags"
