"""One option schema: the magic's flags, the API's keywords, the comm and the checks all come from Options."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import jupyter_awsrole
from jupyter_awsrole.assumer import Policy
from jupyter_awsrole.errors import AwsRoleError, call_cleanly
from jupyter_awsrole.events import Event
from jupyter_awsrole.magics import FLAGS, OPTIONS, AwsRoleMagics, said
from jupyter_awsrole.options import NAMES, SPECS, Code, Options
from jupyter_awsrole.settings import AwsRole
from jupyter_awsrole.sts import Timeouts


@pytest.mark.parametrize("function", [jupyter_awsrole.assume, jupyter_awsrole.role])
def test_the_public_functions_take_every_option_by_name(function):
    params = list(inspect.signature(function).parameters.values())
    assert [p.name for p in params] == ["profile", "mfa", *NAMES]
    options = {p.name: p for p in params[2:]}
    for f in dataclasses.fields(Options):
        assert options[f.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert options[f.name].default == f.default
        assert options[f.name].annotation == f.type, f.name


def test_the_magic_has_a_flag_for_every_option_with_its_help():
    assert OPTIONS == (
        "--mfa-token",
        "--region",
        "--duration",
        "--session-name",
        "--external-id",
        "--source-profile",
        "--refresh",
    )
    assert (*OPTIONS, "--list", "--unset", "--picker", "--forget", "--export", "--as", "--yes") == FLAGS
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
