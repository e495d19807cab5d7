"""The on-disk cache shares the AWS CLI's folder layout and key, and shrugs off bad files."""

import datetime as dt
import json
import os
import stat

from botocore.credentials import AssumeRoleProvider  # noqa: F401  (the key must stay botocore's)

from jupyter_awsrole.cache import CredentialCache, assume_role_key


def _response(minutes: int) -> dict:
    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s", "SessionToken": "t",
            "Expiration": expiry.isoformat(),
        },
        "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s", "AssumedRoleId": "x"},
        "ResponseMetadata": {"RequestId": "r"},
    }


def test_key_ignores_a_default_session_name_but_not_a_configured_one():
    plain = assume_role_key("arn:aws:iam::1:role/r", {"SerialNumber": "s"})
    named = assume_role_key("arn:aws:iam::1:role/r", {"SerialNumber": "s", "RoleSessionName": "me"})
    assert plain != named and len(plain) == 40


def test_store_then_load_with_private_modes(tmp_path):
    os.umask(0o022)
    cache = CredentialCache(str(tmp_path / "cli" / "cache"))
    cache.store("k", _response(60))
    path = tmp_path / "cli" / "cache" / "k.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "ResponseMetadata" not in json.loads(path.read_text())
    creds, response = cache.load("k", min_seconds_left=600)
    assert creds.access_key_id == "ASIAEXAMPLE"
    assert response["AssumedRoleUser"]["Arn"].endswith("/r/s")


def test_nearly_expired_entries_are_misses(tmp_path):
    cache = CredentialCache(str(tmp_path))
    cache.store("k", _response(5))
    assert cache.load("k", min_seconds_left=600) is None
    assert cache.load("k", min_seconds_left=60) is not None


def test_corrupt_file_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "k.json").write_text('{"Credentials": {"AccessKeyId": ')
    assert CredentialCache(str(tmp_path)).load("k", 0) is None
    assert "ignoring unreadable cache file" in caplog.text


def test_disabled_cache_neither_reads_nor_writes(tmp_path):
    cache = CredentialCache(str(tmp_path), enabled=False)
    cache.store("k", _response(60))
    assert not (tmp_path / "k.json").exists()
