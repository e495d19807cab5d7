"""One option schema: the magic's flags, the API's keywords, the comm and the checks all come from Options."""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest

import jupyter_awsrole
from jupyter_awsrole.assumer import Policy
from jupyter_awsrole.errors import AwsRoleError, call_cleanly
from jupyter_awsrole.events import Event
from jupyter_awsrole.magics import FLAGS, OPTIONS, AwsRoleMagics, contradiction, parse, said
from jupyter_awsrole.options import MAX_POLICY_FILE_BYTES, NAMES, SPECS, Code, Options
from jupyter_awsrole.settings import AwsRole
from jupyter_awsrole.sts import Timeouts


@pytest.mark.parametrize("function", [jupyter_awsrole.assume, jupyter_awsrole.role])
def test_the_public_functions_take_every_option_by_name(function):
    params = list(inspect.signature(function).parameters.values())
    assert [p.name for p in params] == ["profile", "mfa", *NAMES]
    options = {p.name: p for p in params[2:]}
    accepts = {spec.name: spec.accepts for spec in SPECS}
    for f in dataclasses.fields(Options):
        assert options[f.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert options[f.name].default == f.default
        assert options[f.name].annotation == (accepts[f.name] or f.type), f.name


def test_the_magic_has_a_flag_for_every_option_with_its_help():
    assert OPTIONS == (
        "--mfa-token",
        "--region",
        "--duration",
        "--session-name",
        "--external-id",
        "--source-profile",
        "--refresh",
        "--policy-arn",
        "--policy",
        "--tag",
        "--source-identity",
    )
    assert (
        *OPTIONS,
        "--list",
        "--unset",
        "--picker",
        "--forget",
        "--provenance",
        "--console",
        "--export",
        "--as",
        "--yes",
    ) == FLAGS
    helps = {
        action.option_strings[0]: action for action in AwsRoleMagics.awsrole.parser._actions if action.option_strings
    }
    for spec in SPECS:
        assert helps[spec.flag].help == spec.help and helps[spec.flag].dest == spec.name


@pytest.mark.parametrize(
    "values, field, neutral, magic",
    [
        (
            {"duration": "soon"},
            "duration",
            "duration must be a whole number of seconds, not 'soon'.",
            "--duration must be a whole number of seconds, not 'soon'.",
        ),
        (
            {"duration": 100},
            "duration",
            "duration must be between 900 and 43200 seconds, not 100.",
            "--duration must be between 900 and 43200 seconds, not 100.",
        ),
        (
            {"region": "EU-WEST-1"},
            "region",
            "region must look like eu-west-1, not 'EU-WEST-1'.",
            "--region must look like eu-west-1, not 'EU-WEST-1'.",
        ),
        (
            {"region": 7},
            "region",
            "region must look like eu-west-1, not int.",
            "--region must look like eu-west-1, not int.",
        ),
        ({"session_name": " "}, "session_name", "session_name needs a value.", "--session-name needs a value."),
        ({"external_id": ""}, "external_id", "external_id needs a value.", "--external-id needs a value."),
    ],
)
def test_bad_values_name_their_field_and_each_front_end_words_it(values, field, neutral, magic):
    with pytest.raises(AwsRoleError) as caught:
        Options.parse(values)
    assert caught.value.field == field and str(caught.value) == neutral
    assert said(caught.value) == magic
    with pytest.raises(AwsRoleError) as fresh:  # what leaves the public API keeps the field
        call_cleanly(Options.parse, values)
    assert fresh.value.field == field and str(fresh.value) == neutral


def test_good_values_are_kept_and_unknown_names_refused():
    options = Options.parse(
        {"region": "eu-west-1", "duration": "3600", "session_name": "n", "refresh": 1, "external_id": None}
    )
    assert options == Options(region="eu-west-1", duration=3600, session_name="n", refresh=True)
    assert Options.pick({"region": "x", "mfa": "123456", "profile": "p"}) == {"region": "x"}
    with pytest.raises(TypeError, match="bogus"):
        Options.parse({"bogus": 1})


def test_an_empty_profile_is_said_in_each_front_ends_words():
    from jupyter_awsrole.manager import RoleManager

    with pytest.raises(AwsRoleError) as caught:
        RoleManager().plan("  ")
    assert caught.value.field == "profile" and "%awsrole" not in str(caught.value)
    assert said(caught.value) == "Name a profile: %awsrole PROFILE (see %awsrole --list)."


def test_a_code_keeps_out_of_reprs():
    code = Code("123456")
    assert code == "123456" and "123456" not in repr(code) and "123456" not in repr([code])


def test_policy_and_timeouts_take_the_settings_defaults():
    settings = AwsRole()
    policy = Policy.from_settings(settings)
    assert policy == Policy.from_settings()
    assert policy.min_seconds_left == settings.refresh_margin_seconds
    assert policy.mfa_session_seconds == settings.mfa_session_seconds
    assert (
        policy.timeouts
        == Timeouts()
        == Timeouts(settings.sts_connect_timeout, settings.sts_read_timeout, settings.sts_max_attempts)
    )


def test_events_are_strings_for_old_callers():
    assert Event.ASSUMED == "assumed" and Event("needs-mfa") is Event.NEEDS_MFA
    assert f"{Event.REFRESH_FAILED}" == "refresh-failed" and str(Event.UNSET) == "unset"


# -- Narrower sessions: session policies, tags, source identity ---------------------------------------

ARN = "arn:aws:iam::123456789012:policy/read-only"
DENY_GET = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
PACKED = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}'


def test_narrowing_options_take_each_shape_a_front_end_gives(tmp_path):
    policy_file = tmp_path / "deny-get.json"
    policy_file.write_text(json.dumps(DENY_GET, indent=4))
    for policy in (DENY_GET, json.dumps(DENY_GET), str(policy_file), policy_file):
        assert Options.parse({"policy": policy}).policy == PACKED  # whitespace gone: AWS counts it without
    assert Options.parse({"policy_arns": ARN}).policy_arns == (ARN,)
    assert Options.parse({"policy_arns": [ARN, "arn:aws:iam::aws:policy/ReadOnlyAccess", ARN]}).policy_arns == (
        ARN,
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
    expected = (("team", "data"), ("cost center", "a=b"))
    for tags in (
        ["team=data", "cost center=a=b"],
        {"team": "data", "cost center": "a=b"},
        [["team", "data"], ("cost center", "a=b")],
    ):
        assert Options.parse({"tags": tags}).tags == expected
    assert Options.parse({"tags": "team="}).tags == (("team", ""),)  # AWS allows an empty value
    assert Options.parse({"source_identity": "ada@example.com"}).source_identity == "ada@example.com"


def test_narrowing_is_said_briefly_without_the_policy_text():
    options = Options.parse(
        {"policy": DENY_GET, "policy_arns": [ARN, ARN + "2"], "tags": "a=1", "source_identity": "ada"}
    )
    assert options.narrowing == "session policy: 1 inline, 2 ARNs; 1 tag; source identity ada"
    assert Options.parse({"policy_arns": ARN}).narrowing == "session policy: 1 ARN"
    assert Options().narrowing == "" and Options(region="eu-west-1").narrowing == ""


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"policy_arns": "arn:aws:s3:::bucket"}, "policy_arns", "must look like arn:aws:iam::123456789012:policy/NAME"),
        ({"policy_arns": [ARN + str(i) for i in range(11)]}, "policy_arns", "at most 10 policies, not 11"),
        ({"policy_arns": 7}, "policy_arns", "must be a string or a list of strings, not int"),
        ({"policy": "missing.json"}, "policy", "file 'missing.json' cannot be read (No such file or directory)"),
        ({"policy": "{not json"}, "policy", "is not valid JSON"),
        ({"policy": '["Statement"]'}, "policy", "file '[\"Statement\"]' cannot be read"),
        ({"policy": {"Version": "2012-10-17"}}, "policy", "must be a policy document: a JSON object with a Statement"),
        (
            {"policy": {"Statement": [{"Sid": "x" * 2100}]}},
            "policy",
            "characters without spaces; AWS takes at most 2048",
        ),
        ({"policy": 3}, "policy", "must be a file path, JSON text or a dict, not int"),
        ({"tags": "team"}, "tags", "must be KEY=VALUE, not 'team'"),
        ({"tags": ["a=1", "A=2"]}, "tags", "key 'A' is given twice"),
        ({"tags": "aws:x=1"}, "tags", "key 'aws:x' must be 1-128"),
        ({"tags": "=1"}, "tags", "key '' must be 1-128"),
        ({"tags": "k=" + "v" * 257}, "tags", "value of 'k' must be at most 256"),
        ({"tags": "k=semi;colon"}, "tags", "value of 'k' must be at most 256"),
        ({"tags": "k=line\nbreak"}, "tags", "value of 'k' must be at most 256"),
        ({"tags": [f"k{i}=v" for i in range(51)]}, "tags", "at most 50 tags, not 51"),
        ({"tags": {"k": 1}}, "tags", "keys and values must be strings"),
        ({"source_identity": "a"}, "source_identity", "must be 2-64 letters"),
        ({"source_identity": "aws:me"}, "source_identity", "not start with aws:"),
        ({"source_identity": "has space"}, "source_identity", "not 'has space'"),
    ],
)
def test_bad_narrowing_is_one_line_naming_its_flag(values, field, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AwsRoleError) as caught:
        Options.parse(values)
    text = str(caught.value)
    assert caught.value.field == field and text.startswith(field + " ") and message in text
    assert "\n" not in text and len(text) < 200
    flag = {"policy_arns": "--policy-arn", "tags": "--tag"}.get(field, "--" + field.replace("_", "-"))
    assert said(caught.value).startswith(flag + " ")


def test_a_large_policy_file_is_refused_before_it_is_read_whole(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(" " * (MAX_POLICY_FILE_BYTES + 1))
    with pytest.raises(AwsRoleError, match="too large for a policy"):
        Options.parse({"policy": str(big)})


def test_the_magic_takes_repeated_narrowing_flags(tmp_path):
    policy_file = tmp_path / "deny get.json"
    policy_file.write_text(json.dumps(DENY_GET))
    args = parse(
        AwsRoleMagics.awsrole.parser,
        f"analyst --policy-arn {ARN} --policy-arn {ARN}2 --policy '{policy_file}' --tag team=data --tag 'k=a b'"
        " --source-identity ada",
    )
    options = Options.parse(Options.pick(vars(args)))
    assert options.policy_arns == (ARN, ARN + "2") and options.policy == PACKED
    assert options.tags == (("team", "data"), ("k", "a b")) and options.source_identity == "ada"
    assert contradiction(args) is None
    lonely = parse(AwsRoleMagics.awsrole.parser, "--tag a=1")
    assert contradiction(lonely) == "--tag goes with a profile: %awsrole PROFILE --tag."
    assert (
        contradiction(parse(AwsRoleMagics.awsrole.parser, "--list --policy-arn " + ARN))
        == "--list takes no --policy-arn."
    )
