"""Codes from a command: what is taken, what is refused, and that the message never shows the output."""

import pytest

from jupyter_awsrole.errors import MfaError
from jupyter_awsrole.mfa_process import ProcessCode, command_for
from jupyter_awsrole.profiles import Hop, Profile


def hop(values: dict[str, str], serial: str | None = "arn:aws:iam::1:mfa/u") -> Hop:
    return Hop(Profile("p", values), "arn:aws:iam::1:role/r", serial, None, None, None, None, None)


def test_the_profile_s_command_wins_over_the_setting_and_needs_a_serial():
    assert command_for(hop({"mfa_process": "own"}), "default") == "own"
    assert command_for(hop({}), " default ") == "default"
    assert command_for(hop({}), "") is None
    assert command_for(hop({"mfa_process": "own"}, serial=None), "default") is None


def test_six_digits_are_taken_with_surrounding_space():
    assert ProcessCode("printf ' 123456\\n'", "p")("serial") == "123456"


@pytest.mark.parametrize(
    "command, words",
    [
        ("echo 12345", "printed no 6-digit code"),
        ("echo secret-value-123456", "printed no 6-digit code"),
        ("echo ١٢٣٤٥٦", "printed no 6-digit code"),
        ("echo 123456 >&2; exit 1", "failed (exit status 1)"),
        ("sleep 5", "gave no code within 0.5 s"),
    ],
)
def test_a_bad_command_is_one_line_without_its_output(command, words):
    with pytest.raises(MfaError) as info:
        ProcessCode(command, "p", timeout=0.5)("serial")
    message = str(info.value)
    assert words in message and "mfa_process of profile 'p'" in message
    assert "secret-value" not in message and "123456" not in message


def test_a_refused_code_is_not_asked_again_from_the_command():
    with pytest.raises(MfaError):
        ProcessCode("echo 123456", "p")("serial", retry="That MFA code was refused.")
