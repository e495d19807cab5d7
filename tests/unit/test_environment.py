"""Installing into os.environ and the SDK caches, and putting everything back."""

import copy
import datetime as dt
import pydoc
import reprlib
import sys
import types

import pytest

from jupyter_awsrole import environment
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.errors import AwsRoleError


def _state(region=None):
    expiry = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    creds = Credentials("ASIAKEY", "SECRET", "TOKEN", expiry)
    return RoleState("p", "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s", "1", region, expiry, creds)


def test_role_environment_drops_profiles_and_sets_expiry():
    baseline = {"AWS_PROFILE": "old", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIAOLD"}
    values = environment.role_environment(_state(), baseline)
    assert "AWS_PROFILE" not in values and values["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert values["AWS_ACCESS_KEY_ID"] == "ASIAKEY" and values["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-01T00:00:00Z"
    assert environment.role_environment(_state("us-west-2"), baseline)["AWS_REGION"] == "us-west-2"


def test_apply_sets_and_removes_exactly():
    env = {"AWS_PROFILE": "old", "AWS_SESSION_TOKEN": "stale", "PATH": "/bin"}
    environment.apply({"AWS_ACCESS_KEY_ID": "A"}, env)
    assert env == {"AWS_ACCESS_KEY_ID": "A", "PATH": "/bin"}


def test_sdk_caches_are_reset(monkeypatch):
    boto3 = types.SimpleNamespace(DEFAULT_SESSION=object())
    cleared = []
    s3fs = types.SimpleNamespace(S3FileSystem=types.SimpleNamespace(clear_instance_cache=lambda: cleared.append(1)))
    monkeypatch.setitem(sys.modules, "boto3", boto3)
    monkeypatch.setitem(sys.modules, "s3fs", s3fs)
    environment.reset_sdk_caches()
    assert boto3.DEFAULT_SESSION is None and cleared == [1]


def test_default_session_is_kept_when_only_credentials_change(monkeypatch):
    core = types.SimpleNamespace(_credentials=object())
    boto3 = types.SimpleNamespace(DEFAULT_SESSION=types.SimpleNamespace(_session=core))
    monkeypatch.setitem(sys.modules, "boto3", boto3)
    monkeypatch.delitem(sys.modules, "s3fs", raising=False)
    environment.apply({"AWS_ACCESS_KEY_ID": "A"}, {})
    assert boto3.DEFAULT_SESSION is not None and core._credentials is None
    environment.apply({"AWS_ACCESS_KEY_ID": "A"}, {"AWS_PROFILE": "dev"})
    assert boto3.DEFAULT_SESSION is None


# -- all or nothing ---------------------------------------------------------------------------

BEFORE = {"AWS_ACCESS_KEY_ID": "AKIAOLD", "AWS_SECRET_ACCESS_KEY": "oldsecret", "AWS_PROFILE": "dev", "PATH": "/bin"}


def _new(**changes):
    values = {
        "AWS_ACCESS_KEY_ID": "ASIANEW",
        "AWS_SECRET_ACCESS_KEY": "newsecret",
        "AWS_SESSION_TOKEN": "newtoken",
        "AWS_REGION": "eu-west-1",
    }
    values.update(changes)
    return values


BAD_VALUES = {
    "NUL in region": {"AWS_REGION": "eu-west-1\0"},
    "None secret": {"AWS_SECRET_ACCESS_KEY": None},
    "int token": {"AWS_SESSION_TOKEN": 7},
    "lone surrogate": {"AWS_REGION": "eu-\ud800"},
    "unmanaged name": {"PATH": "/tmp"},
}


@pytest.mark.parametrize("changes", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_bad_value_installs_nothing_and_is_one_line(changes):
    env = dict(BEFORE)
    with pytest.raises(AwsRoleError) as caught:
        environment.apply(_new(**changes), env)
    assert env == BEFORE
    message = str(caught.value)
    assert "\n" not in message and not [s for s in ("newsecret", "newtoken", "oldsecret") if s in message]


class Failing(dict):
    """An environment whose nth write fails, as putenv can."""

    def __init__(self, data, fail_at):
        super().__init__(data)
        self.writes, self.fail_at = 0, fail_at

    def __setitem__(self, name, value):
        self.writes += 1
        if self.writes == self.fail_at:
            raise OSError("putenv failed")
        super().__setitem__(name, value)


@pytest.mark.parametrize("fail_at", [1, 2, 4])
def test_a_failing_write_puts_back_exactly_the_previous_values(fail_at):
    env = Failing(BEFORE, fail_at)
    with pytest.raises(AwsRoleError, match="nothing changed"):
        environment.apply(_new(), env)
    assert dict(env) == BEFORE


def test_a_failing_sdk_reset_puts_back_the_previous_values(monkeypatch):
    def broken():
        raise RuntimeError("s3fs broke")

    s3fs = types.SimpleNamespace(S3FileSystem=types.SimpleNamespace(clear_instance_cache=broken))
    monkeypatch.setitem(sys.modules, "s3fs", s3fs)
    env = dict(BEFORE)
    with pytest.raises(AwsRoleError):
        environment.apply(_new(), env)
    assert env == BEFORE


def test_the_real_environment_refuses_a_nul_byte_whole(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOLD")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    before = environment.snapshot()
    with pytest.raises(AwsRoleError):
        environment.apply(environment.role_environment(_state("eu-west-1\0"), before))
    assert environment.snapshot() == before


# -- reprs that tracebacks print --------------------------------------------------------------


def test_snapshots_and_role_environments_show_names_only():
    secret = "wJalr" + "XUtnFEMI"
    baseline = environment.snapshot({"AWS_ACCESS_KEY_ID": "AKIA" + "OLDKEY", "AWS_SECRET_ACCESS_KEY": secret})
    values = environment.role_environment(_state(), baseline)
    texts = [
        repr(baseline),
        str(baseline),
        repr(values),
        f"{values}",
        pydoc.TextRepr().repr(baseline),
        reprlib.repr(values),
        repr(baseline.copy()),
        repr(copy.copy(values)),
    ]
    leaks = [i for i, text in enumerate(texts) if secret in text or "ASIAKEY" in text]
    assert leaks == [], f"values shown by the reprs number {leaks}"
    assert "AWS_SECRET_ACCESS_KEY" in repr(baseline)
    assert dict(baseline) == {"AWS_ACCESS_KEY_ID": "AKIAOLDKEY", "AWS_SECRET_ACCESS_KEY": secret}
    assert isinstance(values, dict) and values["AWS_SECRET_ACCESS_KEY"] == "SECRET"


SOURCE = {"AWS_SECRET_ACCESS_KEY": "wJalr" + "XUtnFEMI" + "K7MDENG"}


def _fails_with_baseline_in_a_local():
    baseline = environment.snapshot(SOURCE)
    raise ValueError(len(baseline))


def test_a_verbose_traceback_shows_no_value_of_a_snapshot():
    from IPython.core import ultratb

    try:
        _fails_with_baseline_in_a_local()
    except ValueError:
        text = ultratb.VerboseTB(theme_name="nocolor").text(*sys.exc_info())
    assert "baseline = Variables(AWS_SECRET_ACCESS_KEY)" in text, "the local is not shown as expected"
    leaks = text.count(SOURCE["AWS_SECRET_ACCESS_KEY"])
    assert leaks == 0, f"the secret shows {leaks} time(s) in the traceback"
