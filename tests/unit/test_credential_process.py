"""The credential_process answer: the SDKs' JSON on stdout and nothing else, or one line on stderr without a secret."""

from __future__ import annotations

import datetime
import io
import json
import os

import pytest

from jupyter_awsrole import credential_process
from jupyter_awsrole.credential_process import NoTerminal, TerminalPrompt, document, has_terminal, mfa_source, run
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.errors import MfaRequired, StsError

EXPIRY = datetime.datetime(2030, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
SECRET = "secret-key-that-must-never-be-told"


def state(token: str | None = "session-token-value", long_term: bool = False) -> RoleState:
    creds = Credentials("ASIAEXAMPLEEXAMPLE12", SECRET, token, None if long_term else EXPIRY)
    arn = "arn:aws:iam::123456789012:role/r"
    return RoleState("p", arn, arn, "123456789012", "us-east-1", EXPIRY, creds, long_term=long_term)


def test_a_session_is_the_version_1_document_with_its_expiration():
    assert document(state()) == {
        "Version": 1,
        "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
        "SecretAccessKey": SECRET,
        "SessionToken": "session-token-value",
        "Expiration": "2030-01-31T12:00:00Z",
    }


def test_long_term_keys_carry_no_expiration_so_sdks_do_not_refresh_them():
    assert sorted(document(state(token=None, long_term=True))) == ["AccessKeyId", "SecretAccessKey", "Version"]


def test_success_prints_only_the_json(monkeypatch):
    monkeypatch.setattr(credential_process, "resolve", lambda profile: state())
    out, err = io.StringIO(), io.StringIO()
    assert run("p", out, err) == 0
    assert json.loads(out.getvalue()) == document(state()) and err.getvalue() == ""


@pytest.mark.parametrize(
    "failure, words",
    [
        (MfaRequired("Profile 'p' needs a new MFA code: run %awsrole p in a notebook."), "%awsrole p"),
        (StsError("Cannot reach STS at http://x for profile 'p'."), "Cannot reach STS"),
        (KeyboardInterrupt(), "interrupted"),
        (RuntimeError(SECRET), "(RuntimeError)"),  # an unexpected error is named, its text (maybe a secret) is not
    ],
)
def test_a_failure_is_one_line_on_stderr_and_a_non_zero_status(monkeypatch, failure, words):
    def fail(profile: str) -> RoleState:
        raise failure

    monkeypatch.setattr(credential_process, "resolve", fail)
    out, err = io.StringIO(), io.StringIO()
    assert run("p", out, err) != 0
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1 and words in err.getvalue()
    assert err.getvalue().startswith("jupyter-awsrole credential-process: ") and SECRET not in err.getvalue()


def test_without_a_terminal_the_code_is_not_asked_but_the_notebook_command_named(tmp_path):
    assert not has_terminal(str(tmp_path / "no-tty"))
    source = mfa_source("marketingadmin", str(tmp_path / "no-tty"))
    assert isinstance(source, NoTerminal) and not source.interactive
    with pytest.raises(MfaRequired, match="run %awsrole marketingadmin in a notebook"):
        source("arn:aws:iam::123456789012:mfa/user1")


def test_with_a_terminal_the_prompt_names_the_device_and_the_profile(monkeypatch, tmp_path):
    terminal = tmp_path / "tty"
    terminal.write_text("")
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "123456")
    source = mfa_source("marketingadmin", str(terminal))
    assert isinstance(source, TerminalPrompt) and source.interactive
    assert source("arn:aws:iam::123456789012:mfa/user1", "That MFA code was refused.") == "123456"
    assert asked == [
        "That MFA code was refused. jupyter-awsrole credential-process: MFA code for"
        " arn:aws:iam::123456789012:mfa/user1 (profile 'marketingadmin'): "
    ]


def test_a_profile_that_leads_back_to_itself_is_refused(monkeypatch):
    monkeypatch.setenv(credential_process.SERVING, "a\nb")
    out, err = io.StringIO(), io.StringIO()
    assert credential_process.run("a", out, err) == 1
    assert "leads back to itself" in err.getvalue() and "(a -> b -> a)" in err.getvalue()


def test_serving_a_profile_twice_in_one_process_is_no_loop(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile keys]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = x\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv(credential_process.SERVING, raising=False)
    seen = []

    def resolved(assumer, plan, source, baseline, policy):
        seen.append(baseline[credential_process.SERVING])  # what a source profile's own process would inherit
        return state()

    monkeypatch.setattr("jupyter_awsrole.assumer.Assumer.resolve", resolved)
    for _ in range(2):
        assert credential_process.run("keys", io.StringIO(), io.StringIO()) == 0
    assert seen == ["keys", "keys"] and credential_process.SERVING not in os.environ
