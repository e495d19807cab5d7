"""`jupyter-awsrole credential-process PROFILE` and `%awsrole --export`: after a notebook switched with MFA, the real
AWS CLI and boto3 in other processes run as the role with no prompt; without a session they ask on the terminal, take
the profile's mfa_process, or say in one line which notebook command renews it."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyter_awsrole.config_export import process_command
from tests.support.cells import WHOAMI, extend_config
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

EXPORTED = "marketingadmin-jupyter"
ROLE_SESSION = "assumed-role/marketingadminrole/"
BOTO3_WHOAMI = (
    "import boto3, sys; print(boto3.Session(profile_name=sys.argv[1]).client('sts').get_caller_identity()['Arn'])"
)


def aws_whoami(env: dict[str, str], profile: str) -> subprocess.CompletedProcess[str]:
    """The real AWS CLI in a session of its own: no terminal to ask on, as an IDE runs it."""
    command = ["aws", "--profile", profile, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"]
    return _detached(command, env)


def boto3_whoami(env: dict[str, str], profile: str) -> subprocess.CompletedProcess[str]:
    return _detached([sys.executable, "-c", BOTO3_WHOAMI, profile], env)


def serve(env: dict[str, str], profile: str) -> subprocess.CompletedProcess[str]:
    """The command itself, as an SDK runs it: stdout a pipe, no terminal."""
    return _detached([sys.executable, "-m", "jupyter_awsrole.cli", "credential-process", profile], env)


def _detached(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal, whatever pytest runs in
        timeout=120,
    )


def exported_config(kernel_env, local_aws, folder: Path, extra: str = "") -> Path:
    """The sandbox config plus `extra` and a profile serving marketingadmin through this command (no secret)."""
    section = f"\n[profile {EXPORTED}]\ncredential_process = {process_command('marketingadmin')}\nregion = us-east-1\n"
    return extend_config(kernel_env, local_aws, folder, extra + section)


def test_after_a_notebook_switch_with_mfa_the_aws_cli_and_boto3_run_as_the_role_with_no_prompt(
    kernel_env, local_aws, tmp_path, home
):
    config = extend_config(kernel_env, local_aws, tmp_path, "")
    kernel = Kernel(kernel_env, cwd=str(tmp_path))
    try:
        code = local_aws.mfa_code()
        switched = kernel.run("%load_ext jupyter_awsrole\n%awsrole marketingadmin", answers=[code]).ok()
        assert len(switched.prompts) == 1 and "Now marketingadminrole" in switched.stdout
        in_kernel = kernel.run(WHOAMI).ok().stdout.strip()
        exported = kernel.run("%awsrole --export marketingadmin --yes").ok()
        assert f"+[profile {EXPORTED}]" in exported.stdout and "Wrote" in exported.stdout, exported.text
        assert f"credential_process = {process_command('marketingadmin')}" in config.read_text()

        local_aws.reset_stats()
        cli = aws_whoami(kernel_env, EXPORTED)
        sdk = boto3_whoami(kernel_env, EXPORTED)
        assert cli.returncode == 0 and sdk.returncode == 0, cli.stderr + sdk.stderr
        # The very session the notebook opened, from the shared cache: no STS call, no MFA code.
        assert ROLE_SESSION in in_kernel and cli.stdout.strip() == sdk.stdout.strip() == in_kernel
        stats = local_aws.stats()
        assert stats["mfa_checked"] == 0 and "AssumeRole" not in stats["sts"], stats
        secrets = secrets_in_play(local_aws, home) | {code}
        for index, run in enumerate(kernel.runs):
            assert_no_leak(secrets, run.text, f"kernel run {index}")
        for where, text in {"aws": cli.stdout + cli.stderr, "boto3": sdk.stdout + sdk.stderr, "config": config}.items():
            assert_no_leak(secrets, text if isinstance(text, str) else text.read_text(), where)
    finally:
        kernel.stop()


def test_without_a_session_or_a_terminal_one_line_names_the_notebook_command(kernel_env, local_aws, tmp_path, home):
    exported_config(kernel_env, local_aws, tmp_path)
    direct = serve(kernel_env, "marketingadmin")
    assert direct.returncode != 0 and direct.stdout == ""
    assert direct.stderr.count("\n") == 1 and "%awsrole marketingadmin" in direct.stderr, direct.stderr
    cli = aws_whoami(kernel_env, EXPORTED)
    assert cli.returncode != 0 and "%awsrole marketingadmin" in cli.stderr, cli.stderr
    assert not (home / ".aws" / "cli" / "cache").exists() or not list((home / ".aws" / "cli" / "cache").iterdir())
    secrets = secrets_in_play(local_aws, home)
    assert_no_leak(secrets, direct.stderr + cli.stdout + cli.stderr, "error output")


def test_a_role_without_mfa_is_assumed_and_cached_for_the_next_call(kernel_env, local_aws, tmp_path, home):
    extend_config(kernel_env, local_aws, tmp_path, "")
    local_aws.reset_stats()
    first, second = serve(kernel_env, "analyst"), serve(kernel_env, "analyst")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout and first.stderr == second.stderr == ""
    assert local_aws.stats()["sts"] == {"AssumeRole": 1}  # the second answer came from the shared cache

    answer = json.loads(first.stdout)
    assert sorted(answer) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"]
    assert answer["Version"] == 1 and answer["Expiration"].endswith("Z")
    assert answer["SessionToken"] in secrets_in_play(local_aws, home)  # what was served is what the cache holds


def test_a_profile_s_mfa_process_gives_the_code_when_there_is_no_terminal(kernel_env, local_aws, tmp_path, home):
    command = f"jupyter-awsrole mfa-code --state-dir {local_aws.state_dir}"
    extra = (
        "\n[profile admin-by-command]\nrole_arn = arn:aws:iam::123456789012:role/marketingadminrole\n"
        f"source_profile = user1\nmfa_serial = {local_aws.mfa_serial}\nmfa_process = {command}\n"
        f"region = us-east-1\nendpoint_url = {local_aws.endpoint}\n"
        f"\n[profile by-command-jupyter]\ncredential_process = {process_command('admin-by-command')}\n"
    )
    extend_config(kernel_env, local_aws, tmp_path, extra)
    local_aws.reset_stats()
    first = aws_whoami(kernel_env, "by-command-jupyter")
    second = boto3_whoami(kernel_env, "by-command-jupyter")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert ROLE_SESSION in first.stdout and first.stdout == second.stdout
    assert local_aws.stats()["mfa_checked"] == 1  # one code for both: the second came from the cache
    assert_no_leak(secrets_in_play(local_aws, home), first.stdout + first.stderr + second.stderr, "outputs")


# Makes the pty the controlling terminal of a new session, as a terminal emulator does for its shell.
AS_TERMINAL = (
    "import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0);"
    " os.execvp(sys.argv[1], sys.argv[1:])"
)


def test_with_a_terminal_the_code_is_asked_on_it_not_echoed_and_works(kernel_env, local_aws, tmp_path, home):
    exported_config(kernel_env, local_aws, tmp_path)
    master, slave = pty.openpty()
    command = ["aws", "--profile", EXPORTED, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"]
    process = subprocess.Popen(
        [sys.executable, "-c", AS_TERMINAL, *command], stdin=slave, stdout=slave, stderr=slave, env=kernel_env
    )
    os.close(slave)
    try:
        before = _read_until(master, b"MFA code for ")
        assert f"MFA code for {local_aws.mfa_serial} (profile 'marketingadmin')" in before, before
        code = local_aws.mfa_code()
        os.write(master, code.encode() + b"\n")
        after = _read_until(master, None)
        assert process.wait(timeout=60) == 0, after
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert ROLE_SESSION in after and code not in after  # the terminal did not echo the code
    assert local_aws.stats()["mfa_checked"] >= 1
    assert_no_leak(secrets_in_play(local_aws, home), before + after, "the terminal")


def _read_until(fd: int, marker: bytes | None, timeout: float = 60) -> str:
    """What the terminal shows until `marker` (or until the other side closes it)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (marker is None or marker not in seen):
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every process holding the terminal has exited
            break
        if not chunk:
            break
        seen += chunk
    if marker is not None and marker not in seen:
        raise AssertionError(f"the terminal never showed {marker!r}: {seen.decode(errors='replace')}")
    return seen.decode(errors="replace")


def test_export_asks_first_and_a_no_leaves_the_file_as_it_was(kernel_env, local_aws, tmp_path):
    config = extend_config(
        kernel_env, local_aws, tmp_path, "\n# a comment the user wrote\n[profile mine]\nregion = eu-west-1\n"
    )
    original = config.read_bytes()
    kernel = Kernel(kernel_env, cwd=str(tmp_path))
    try:
        kernel.run("%load_ext jupyter_awsrole").ok()
        declined = kernel.run("%awsrole --export analyst --as analyst-elsewhere", answers=["n"]).ok()
        assert [p for p, _ in declined.prompts] == [f"Write this to {config}? [y/N] "]
        assert "+[profile analyst-elsewhere]" in declined.stdout and "Nothing was written." in declined.stdout
        assert config.read_bytes() == original
        accepted = kernel.run("%awsrole --export analyst --as analyst-elsewhere", answers=["y"]).ok()
        assert "Wrote [profile analyst-elsewhere]" in accepted.stdout
        text = config.read_bytes()
        assert text.startswith(original) and b"[profile analyst-elsewhere]" in text[len(original) :]
        again = kernel.run("%awsrole --export analyst --as analyst-elsewhere").ok()
        assert "already serves analyst" in again.stdout and not again.prompts and config.read_bytes() == text
        taken = kernel.run("%awsrole --export analyst --as mine")
        assert taken.error is not None and "already exists" in taken.error["evalue"]
        assert "\n" not in taken.error["evalue"].strip() and config.read_bytes() == text
    finally:
        kernel.stop()
    served = aws_whoami(kernel_env, "analyst-elsewhere")
    assert served.returncode == 0 and "assumed-role/analystrole/" in served.stdout, served.stderr
