"""Installing into os.environ and the SDK caches, and putting everything back."""

import datetime as dt
import sys
import types

from jupyter_awsrole import environment
from jupyter_awsrole.credentials import Credentials, RoleState


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
