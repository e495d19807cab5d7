"""MFA code sources and the format check."""

import getpass

import pytest

from jupyter_awsrole.errors import MfaError, MfaRequired
from jupyter_awsrole.mfa import FixedCode, NoPrompt, StdinPrompt, as_source, read_code

SERIAL = "arn:aws:iam::123456789012:mfa/user1"


def test_prompt_uses_getpass_bound_at_call_time(monkeypatch):
    asked = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "123456")
    assert read_code(StdinPrompt(), SERIAL) == "123456"
    assert asked == [f"MFA code for {SERIAL}: "]


def test_bad_format_is_asked_again_up_to_three_times(monkeypatch):
    answers = iter(["12345", "abcdef", "654321"])
    prompts = []
    monkeypatch.setattr(getpass, "getpass", lambda p: prompts.append(p) or next(answers))
    assert read_code(StdinPrompt(), SERIAL) == "654321"
    assert len(prompts) == 3 and "6 digits" in prompts[1]


def test_three_bad_codes_give_up(monkeypatch):
    monkeypatch.setattr(getpass, "getpass", lambda p: "1")
    with pytest.raises(MfaError, match="6 digits"):
        read_code(StdinPrompt(), SERIAL)


def test_no_stdin_is_a_clear_error(monkeypatch):
    def no_stdin(prompt):
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_stdin)
    with pytest.raises(MfaError, match="--mfa-token"):
        read_code(StdinPrompt(), SERIAL)


def test_fixed_code_is_checked_once():
    assert read_code(FixedCode("000111"), SERIAL) == "000111"
    with pytest.raises(MfaError, match="6 digits"):
        read_code(FixedCode("12"), SERIAL)
    assert "000111" not in repr(FixedCode("000111"))


def test_callable_and_no_prompt():
    assert read_code(as_source(lambda serial: 123456), SERIAL) == "123456"
    with pytest.raises(MfaRequired):
        read_code(NoPrompt(), SERIAL)


def test_the_public_api_masks_a_code_before_anything_can_fail():
    import jupyter_awsrole

    source = jupyter_awsrole._masked("123456")
    assert "123456" not in repr(source) and read_code(source, SERIAL) == "123456"
    assert jupyter_awsrole._masked(123456) is None  # an int code: refused, without being kept anywhere
    with pytest.raises(TypeError, match="6-digit code as a str"):
        jupyter_awsrole.assume("analyst", mfa=123456)
