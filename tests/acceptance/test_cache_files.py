"""The disk cache in a real kernel: corrupt entries, folders the package does not own, blocked paths,
the AWS CLI's key, and the cache turned off."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.support.aws_cli import CLI_KEY, cli_whoami
from tests.support.cells import CONSISTENT, WHOAMI, extend_config
from tests.support.kernel import Kernel

pytestmark = pytest.mark.kernel

WARNING = "ignoring unreadable cache file"


def _whoami(kernel: Kernel) -> str:
    """The caller's ARN as boto3 sees it; a failed assert shows this text only, not the whole run."""
    return kernel.run(WHOAMI).ok().stdout


def _cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*.json") if not p.name.startswith("jupyter-awsrole-mfa")]


def _analyst_entry(kernel, home: Path) -> Path:
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    files = _cache_files(home / ".aws" / "cli" / "cache")
    assert len(files) == 1
    return files[0]


def _with(path: list[str], value):
    def change(entry: dict) -> str:
        target = entry
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return json.dumps(entry)

    return change


def _without(*path: str):
    def change(entry: dict) -> str:
        target = entry
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
        return json.dumps(entry)

    return change


CORRUPT = {
    "SecretAccessKey null": _with(["Credentials", "SecretAccessKey"], None),
    "SessionToken 7": _with(["Credentials", "SessionToken"], 7),
    "AccessKeyId empty": _with(["Credentials", "AccessKeyId"], ""),
    "SecretAccessKey with a NUL": _with(["Credentials", "SecretAccessKey"], "sec\0ret"),
    "Expiration missing": _without("Credentials", "Expiration"),
    "Expiration 1e20": _with(["Credentials", "Expiration"], 1e20),
    "Expiration 20 digits": _with(["Credentials", "Expiration"], "12345678901234567890"),
    "Expiration year 9999": _with(["Credentials", "Expiration"], "9999-12-31T23:59:59Z"),
    "Expiration a list": _with(["Credentials", "Expiration"], [1]),
    "Credentials a list": _with(["Credentials"], ["a", "b"]),
    "AssumedRoleUser a string": _with(["AssumedRoleUser"], "arn:aws:sts::123456789012:assumed-role/x/y"),
    "AssumedRoleUser without Arn": _without("AssumedRoleUser", "Arn"),
    "Arn an int": _with(["AssumedRoleUser", "Arn"], 7),
    "deeply nested": lambda entry: "[" * 100000 + "]" * 100000,
    "a list": lambda entry: "[]",
}


def test_corrupt_entries_are_one_warning_then_rewritten_and_never_half_installed(kernel, home):
    path = _analyst_entry(kernel, home)
    valid = json.loads(path.read_text())
    problems = []
    for name, corrupt in CORRUPT.items():
        path.write_text(corrupt(json.loads(json.dumps(valid))))
        run = kernel.run("%awsrole analyst")
        if run.error is not None:
            problems.append(f"{name}: {run.error['ename']}")
            continue
        if run.stderr.count(WARNING) != 1 or "Traceback" in run.stderr:
            problems.append(f"{name}: {run.stderr.count(WARNING)} warnings")
        rewritten = json.loads(path.read_text())["Credentials"]
        if not (isinstance(rewritten.get("SecretAccessKey"), str) and isinstance(rewritten.get("SessionToken"), str)):
            problems.append(f"{name}: not rewritten")
        if "consistent True" not in kernel.run(CONSISTENT).stdout:
            problems.append(f"{name}: current() and os.environ disagree")
    assert problems == []
    assert "assumed-role/analystrole/" in _whoami(kernel)


def test_a_folder_at_the_cache_file_path_leaves_no_temporary_files(kernel, home):
    path = _analyst_entry(kernel, home)
    path.unlink()
    path.mkdir()
    for _ in range(3):
        told = "could not write the credential cache" in kernel.run("%awsrole analyst --refresh").ok().stderr
        assert told, "the failed write was not told"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert "assumed-role/analystrole/" in _whoami(kernel)


def _use_folder(kernel, folder: Path):
    return kernel.run(f"%load_ext jupyter_awsrole\n%config AwsRole.cache_dir = {str(folder)!r}\n%awsrole analyst")


def test_a_shared_cache_dir_keeps_its_mode_and_gets_no_credentials(kernel, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    run = _use_folder(kernel, shared).ok()
    lines = [line for line in run.stderr.splitlines() if "jupyter-awsrole" in line]
    told = len(lines) == 1 and "other users can write to it" in lines[0]
    assert told, f"{len(lines)} line(s) from jupyter-awsrole, expected one about write access"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert list(shared.iterdir()) == []
    assert "assumed-role/analystrole/" in _whoami(kernel)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_a_cache_dir_of_another_user_is_refused(kernel, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o700)
    os.chown(theirs, 65534, 65534)
    told = "belongs to another user" in _use_folder(kernel, theirs).ok().stderr
    assert told, "the refusal was not told"
    assert list(theirs.iterdir()) == [] and stat.S_IMODE(theirs.stat().st_mode) == 0o700


def test_a_symlinked_cli_cache_keeps_its_target_mode(kernel, home, tmp_path):
    target = tmp_path / "cache-target"
    target.mkdir()
    target.chmod(0o755)
    (home / ".aws" / "cli").mkdir(parents=True)
    (home / ".aws" / "cli" / "cache").symlink_to(target)
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    files = _cache_files(target)
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_with_the_cache_off_a_restarted_kernel_calls_sts_once(kernel, local_aws, home):
    _analyst_entry(kernel, home)
    kernel.restart()
    kernel.run("%load_ext jupyter_awsrole\n%config AwsRole.cache = False").ok()
    local_aws.reset_stats()
    kernel.run("%awsrole analyst").ok()
    assert local_aws.stats()["sts"] == {"AssumeRole": 1}


PINNED = """
[profile pinned]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = user1
role_session_name = pinned-session
external_id = pinned-external-id
duration_seconds = 1800
"""


def test_the_aws_cli_and_the_kernel_name_a_session_alike(kernel_env, local_aws, home, tmp_path):
    extend_config(kernel_env, local_aws, tmp_path, PINNED)
    cli = cli_whoami(kernel_env, "pinned")
    assert "assumed-role/analystrole/pinned-session" in cli.stdout, cli.stderr
    cache = home / ".aws" / "cli" / "cache"
    assert [p.name for p in cache.glob("*.json")] == [f"{CLI_KEY}.json"]
    kernel = Kernel(kernel_env)
    try:
        local_aws.reset_stats()
        kernel.run("%load_ext jupyter_awsrole\n%awsrole pinned").ok()
        assert local_aws.stats()["sts_total"] == 0
        assert "assumed-role/analystrole/pinned-session" in _whoami(kernel)
    finally:
        kernel.stop()
