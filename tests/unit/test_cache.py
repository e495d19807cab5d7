"""The on-disk cache shares the AWS CLI's folder layout and key, and shrugs off bad files and folders."""

import datetime as dt
import json
import os
import stat

import pytest

from jupyter_awsrole import cache as cache_module
from jupyter_awsrole.cache import CredentialCache, assume_role_key
from tests.support.aws_cli import CLI_KEY, ROLE


def _response(minutes: int) -> dict:
    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE",
            "SecretAccessKey": "s",
            "SessionToken": "t",
            "Expiration": expiry.isoformat(),
        },
        "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s", "AssumedRoleId": "x"},
        "ResponseMetadata": {"RequestId": "r"},
    }


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == cache_module.__name__]


def test_key_is_the_one_the_aws_cli_writes():
    args = {
        "RoleArn": ROLE,
        "RoleSessionName": "pinned-session",
        "ExternalId": "pinned-external-id",
        "DurationSeconds": 1800,
    }
    assert assume_role_key(ROLE, args) == CLI_KEY


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


def test_folders_are_private_even_under_a_umask_that_removes_everything(tmp_path):
    old = os.umask(0o777)
    try:
        CredentialCache(str(tmp_path / "a" / "b")).store("k", _response(60))
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "k.json").stat().st_mode) == 0o600


def test_an_entry_written_by_the_aws_cli_loads(tmp_path):
    expiry = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SUTC")
    entry = _response(60)
    entry["Credentials"]["Expiration"] = expiry
    entry["PackedPolicySize"] = 6
    (tmp_path / "k.json").write_text(json.dumps(entry))
    creds, response = CredentialCache(str(tmp_path)).load("k", 600)
    assert creds.seconds_left() > 3000 and set(response) == {"Credentials", "AssumedRoleUser"}


def test_nearly_expired_entries_are_misses(tmp_path):
    cache = CredentialCache(str(tmp_path))
    cache.store("k", _response(5))
    assert cache.load("k", min_seconds_left=600) is None
    assert cache.load("k", min_seconds_left=60) is not None


def test_corrupt_file_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "k.json").write_text('{"Credentials": {"AccessKeyId": ')
    assert CredentialCache(str(tmp_path)).load("k", 0) is None
    assert "ignoring unreadable cache file" in caplog.text


def _credentials(**changes):
    def change(entry):
        entry["Credentials"].update(changes)

    return change


def _set(name, value):
    def change(entry):
        entry[name] = value

    return change


def _drop(name):
    def change(entry):
        entry["Credentials"].pop(name)

    return change


CORRUPT = {
    "null secret": _credentials(SecretAccessKey=None),
    "int token": _credentials(SessionToken=7),
    "empty key": _credentials(AccessKeyId=""),
    "empty secret": _credentials(SecretAccessKey=""),
    "NUL in key": _credentials(AccessKeyId="ASIA\0X"),
    "newline in token": _credentials(SessionToken="to\nken"),
    "no token": _drop("SessionToken"),
    "no expiration": _drop("Expiration"),
    "expiration 1e20": _credentials(Expiration=1e20),
    "expiration NaN": _credentials(Expiration=float("nan")),
    "expiration 20 digits": _credentials(Expiration="12345678901234567890"),
    "expiration in year 9999": _credentials(Expiration="9999-12-31T23:59:59Z"),
    "expiration in a year": _credentials(
        Expiration=(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)).isoformat()
    ),
    "expiration a list": _credentials(Expiration=[2030]),
    "expiration text": _credentials(Expiration="soon"),
    "credentials a list": _set("Credentials", ["ASIA", "s"]),
    "credentials missing": lambda entry: entry.pop("Credentials"),
    "user a string": _set("AssumedRoleUser", "arn:aws:sts::1:assumed-role/r/s"),
    "user without arn": _set("AssumedRoleUser", {"AssumedRoleId": "x"}),
    "int arn": _set("AssumedRoleUser", {"Arn": 7}),
    "arn not an arn": _set("AssumedRoleUser", {"Arn": "nothing"}),
    "int role id": _set("AssumedRoleUser", {"Arn": "arn:aws:sts::1:assumed-role/r/s", "AssumedRoleId": 1}),
}


@pytest.mark.parametrize("change", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_corrupt_entry_is_one_warning_however_often_it_is_read(tmp_path, caplog, change):
    entry = _response(60)
    change(entry)
    (tmp_path / "k.json").write_text(json.dumps(entry))
    cache = CredentialCache(str(tmp_path))
    assert cache.load("k", 0) is None and cache.load("k", 0) is None
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "ignoring unreadable cache file" in warnings[0], warnings


ODD_FILES = {
    "deeply nested lists": b"[" * 100000 + b"]" * 100000,
    "deeply nested objects": b'{"a": ' * 100000 + b"1" + b"}" * 100000,
    "a list": b"[]",
    "null": b"null",
    "a string": b'"x"',
    "not UTF-8": b"\xff\xfe",
    "over a megabyte": b" " * (2 << 20),
}


@pytest.mark.parametrize("data", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_odd_files_are_one_warning(tmp_path, caplog, data):
    (tmp_path / "k.json").write_bytes(data)
    assert CredentialCache(str(tmp_path)).load("k", 0) is None
    assert len(_warnings(caplog)) == 1


def test_a_corrupt_entry_is_rewritten_by_the_next_store(tmp_path, caplog):
    (tmp_path / "k.json").write_text('{"Credentials": 7}')
    cache = CredentialCache(str(tmp_path))
    assert cache.load("k", 0) is None
    cache.store("k", _response(60))
    assert cache.load("k", 600) is not None


def test_load_returns_only_checked_fields(tmp_path):
    entry = _response(60)
    entry["AssumedRoleUser"]["Extra"] = {"deep": [1]}
    entry["Surprise"] = [1, 2]
    (tmp_path / "k.json").write_text(json.dumps(entry))
    _, response = CredentialCache(str(tmp_path)).load("k", 0)
    assert set(response) == {"Credentials", "AssumedRoleUser"}
    assert set(response["AssumedRoleUser"]) == {"Arn", "AssumedRoleId"}


def test_disabled_cache_neither_reads_nor_writes(tmp_path):
    cache = CredentialCache(str(tmp_path), enabled=False)
    cache.store("k", _response(60))
    assert not (tmp_path / "k.json").exists()
    CredentialCache(str(tmp_path)).store("k", _response(60))
    assert cache.load("k", 0) is None


# -- folders the package does not own ----------------------------------------------------


def test_a_shared_folder_keeps_its_mode_and_gets_no_credentials(tmp_path, caplog):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    cache = CredentialCache(str(shared))
    cache.store("k", _response(60))
    cache.store("m", _response(60))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert list(shared.iterdir()) == []
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "other users can write to it" in warnings[0], warnings


def test_a_file_planted_in_a_shared_folder_is_not_read(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "k.json").write_text(json.dumps(_response(60)))
    shared.chmod(0o777)
    assert CredentialCache(str(shared)).load("k", 0) is None


@pytest.mark.parametrize("mode", [0o770, 0o730, 0o703])
def test_group_or_other_write_access_is_refused(tmp_path, mode, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    folder.chmod(mode)
    monkeypatch.setattr(cache_module, "_private_group", lambda gid: False)  # a group other users are in
    CredentialCache(str(folder)).store("k", _response(60))
    assert list(folder.iterdir()) == [] and stat.S_IMODE(folder.stat().st_mode) == mode


def test_group_write_access_of_the_users_own_group_is_accepted(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    folder.chmod(0o775)  # what the AWS CLI makes under umask 002, with a group of the user alone
    monkeypatch.setattr(cache_module, "_private_group", lambda gid: gid == folder.stat().st_gid)
    CredentialCache(str(folder)).store("k", _response(60))
    assert (folder / "k.json").exists() and stat.S_IMODE(folder.stat().st_mode) == 0o775


def test_the_users_private_group_is_recognised():
    import grp
    import pwd

    user = pwd.getpwuid(os.geteuid())
    private = grp.getgrgid(user.pw_gid).gr_name == user.pw_name
    assert cache_module._private_group(user.pw_gid) is private
    assert cache_module._private_group(65534 if user.pw_gid != 65534 else 65533) is False


def test_a_readable_folder_of_the_user_is_used_as_it_is(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    folder.chmod(0o755)
    CredentialCache(str(folder)).store("k", _response(60))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "k.json").stat().st_mode) == 0o600


def test_a_symlinked_folder_keeps_its_target_mode(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    target.chmod(0o750)
    link = tmp_path / "cache"
    link.symlink_to(target)
    cache = CredentialCache(str(link))
    cache.store("k", _response(60))
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert (target / "k.json").exists() and cache.load("k", 0) is not None


def test_a_folder_of_another_user_is_refused(tmp_path, caplog, monkeypatch):
    folder = tmp_path / "theirs"
    folder.mkdir()
    folder.chmod(0o700)
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)
    CredentialCache(str(folder)).store("k", _response(60))
    assert list(folder.iterdir()) == []
    assert "belongs to another user" in caplog.text


def test_only_the_missing_parents_are_created_and_tightened(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    CredentialCache(str(shared / "mine" / "cache")).store("k", _response(60))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "mine").stat().st_mode) == 0o700
    assert (shared / "mine" / "cache" / "k.json").exists()


# -- failed writes leave nothing behind ----------------------------------------------------


def test_a_folder_at_the_file_path_leaves_no_temporary_file(tmp_path, caplog):
    (tmp_path / "k.json").mkdir()
    cache = CredentialCache(str(tmp_path))
    cache.store("k", _response(60))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json"]
    assert "could not write the credential cache" in caplog.text


def test_a_failure_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch, caplog):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    CredentialCache(str(tmp_path)).store("k", _response(60))
    assert list(tmp_path.iterdir()) == []
    assert "could not write the credential cache (OSError)" in caplog.text
