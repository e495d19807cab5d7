"""The export's change to the AWS config: shown as a diff, confirmed, written atomically, the rest byte-for-byte,
never a secret, never over a section that is not an earlier export."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

import pytest
from botocore.configloader import load_config

from jupyter_awsrole.config_export import export, prepare, process_command
from jupyter_awsrole.errors import AwsRoleError, ProfileError
from jupyter_awsrole.profiles import ProfileStore

SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
BASE = (
    "# my settings\n"
    "[default]\nregion = eu-west-1\n\n"
    "[profile user1]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\n"
    f"aws_secret_access_key = {SECRET}\n\n"
    "[profile marketingadmin]\nrole_arn = arn:aws:iam::123456789012:role/marketingadminrole\n"
    "source_profile = user1\nmfa_serial = arn:aws:iam::123456789012:mfa/user1\nregion = us-east-1\n"
    "endpoint_url = http://127.0.0.1:5000\n"
    "; a closing comment\n"
)


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "aws" / "config"
    path.parent.mkdir()
    path.write_text(BASE)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws" / "credentials"))
    return path


class Asker:
    """input() as a test answers it, remembering the prompts."""

    def __init__(self, answer: str) -> None:
        self.answer, self.prompts = answer, []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answer


def test_the_change_is_shown_asked_and_appended_leaving_the_rest_byte_for_byte(config):
    shown: list[str] = []
    ask = Asker("y")
    said = export(ProfileStore(), "marketingadmin", ask=ask, show=shown.append)
    text = config.read_text()
    assert text.startswith(BASE) and "Wrote [profile marketingadmin-jupyter]" in said
    assert ask.prompts == [f"Write this to {config}? [y/N] "]
    (diff,) = shown
    assert diff.splitlines()[:2] == [f"--- {config}", f"+++ {config}"]
    added = [line[1:] for line in diff.splitlines()[3:]]
    assert all(line.startswith("+") for line in diff.splitlines()[3:]), diff
    assert text[len(BASE) :] == "\n".join(added) + "\n"  # what was shown is what was written
    written = load_config(str(config))["profiles"]["marketingadmin-jupyter"]
    assert written == {
        "credential_process": process_command("marketingadmin"),
        "region": "us-east-1",
        "endpoint_url": "http://127.0.0.1:5000",
    }
    words = shlex.split(written["credential_process"])
    assert words[-2:] == ["credential-process", "marketingadmin"] and os.path.isabs(words[0])


def test_a_no_writes_nothing(config):
    ask = Asker("n")
    assert export(ProfileStore(), "marketingadmin", ask=ask, show=lambda _: None) == "Nothing was written."
    assert config.read_text() == BASE and len(ask.prompts) == 1


def test_yes_writes_without_asking(config):
    def never(prompt: str) -> str:
        raise AssertionError("asked")

    export(ProfileStore(), "marketingadmin", "ma", yes=True, ask=never, show=lambda _: None)
    assert "[profile ma]" in config.read_text()


class StdinNotImplementedError(Exception):
    """ipykernel's error when the front end allows no stdin (nbclient), by name as the code checks it."""


@pytest.mark.parametrize("failure", [StdinNotImplementedError("no stdin"), EOFError()])
def test_without_stdin_or_yes_it_refuses_in_one_line(config, failure):
    def no_stdin(prompt: str) -> str:
        raise failure

    with pytest.raises(AwsRoleError) as refused:
        export(ProfileStore(), "marketingadmin", ask=no_stdin, show=lambda _: None)
    message = str(refused.value)
    assert "\n" not in message and "%awsrole --export marketingadmin --yes" in message
    assert config.read_text() == BASE


def test_no_secret_is_shown_or_written(config):
    config.write_text(
        BASE + f"\n[profile ci]\naws_access_key_id = AKIAEXAMPLEEXAMPLE34\naws_secret_access_key = {SECRET}"
    )
    before = config.read_text()
    shown: list[str] = []
    export(ProfileStore(), "user1", yes=True, show=shown.append)
    after = config.read_text()
    assert SECRET not in shown[0] and "aws_" not in shown[0]
    assert after.startswith(before) and SECRET not in after[len(before) :] and "aws_" not in after[len(before) :]
    assert load_config(str(config))["profiles"]["ci"]["aws_secret_access_key"] == SECRET  # its line was ended


def test_a_replaced_earlier_export_shows_what_goes_and_keeps_everything_around_it(config):
    earlier = "[profile ma]\ncredential_process = /old/venv/bin/jupyter-awsrole credential-process marketingadmin\n"
    config.write_text(BASE.replace("; a closing comment\n", "\n" + earlier + "# kept\n[profile z]\nregion = x\n"))
    before = config.read_text()
    shown: list[str] = []
    export(ProfileStore(), "marketingadmin", "ma", yes=True, show=shown.append)
    after = config.read_text()
    assert "-credential_process = /old/venv/bin/jupyter-awsrole credential-process marketingadmin" in shown[0]
    head, tail = before.split(earlier)
    assert after.startswith(head) and after.endswith(tail) and "/old/venv" not in after


def test_the_same_export_again_changes_nothing_and_asks_nothing(config):
    store = ProfileStore()
    export(store, "marketingadmin", yes=True, show=lambda _: None)
    text = config.read_text()
    assert not prepare(store, "marketingadmin").needed
    said = export(store, "marketingadmin", ask=Asker("y"), show=lambda _: pytest.fail("shown"))
    assert "already serves marketingadmin" in said and config.read_text() == text


@pytest.mark.parametrize("name", ["user1", "default"])
def test_a_section_that_is_not_an_export_is_never_overwritten(config, name):
    with pytest.raises(AwsRoleError, match=f"Profile '{name}' already exists in .* --as NAME"):
        export(ProfileStore(), "marketingadmin", name, yes=True, show=lambda _: None)
    assert config.read_text() == BASE


def test_a_name_of_the_credentials_file_is_refused(config, tmp_path):
    (tmp_path / "aws" / "credentials").write_text(
        f"[keys]\naws_access_key_id = AKIA\naws_secret_access_key = {SECRET}\n"
    )
    with pytest.raises(AwsRoleError, match="credentials file"):
        prepare(ProfileStore(), "marketingadmin", "keys")


@pytest.mark.parametrize(
    "profile, name, error",
    [
        ("nosuch", None, ProfileError),
        ("marketingadmin", "marketingadmin", AwsRoleError),
        ("marketingadmin", "a]b", AwsRoleError),
        ("marketingadmin", "two\nlines", AwsRoleError),
    ],
)
def test_bad_requests_are_refused_before_anything_is_shown(config, profile, name, error):
    with pytest.raises(error):
        export(ProfileStore(), profile, name, yes=True, show=lambda _: pytest.fail("shown"))
    assert config.read_text() == BASE


def test_windows_line_endings_stay_and_the_section_uses_them(config):
    config.write_bytes(BASE.replace("\n", "\r\n").encode())
    before = config.read_bytes()
    export(ProfileStore(), "marketingadmin", yes=True, show=lambda _: None)
    after = config.read_bytes()
    assert after.startswith(before) and b"\n" not in after[len(before) :].replace(b"\r\n", b"")


def test_a_missing_file_is_created_private_and_a_file_keeps_its_mode(tmp_path, monkeypatch, config):
    export(ProfileStore(), "marketingadmin", yes=True, show=lambda _: None)
    config.chmod(0o644)
    export(ProfileStore(), "user1", yes=True, show=lambda _: None)
    assert stat.S_IMODE(config.stat().st_mode) == 0o644

    fresh, credentials = tmp_path / "new" / "config", tmp_path / "credentials"
    credentials.write_text(f"[user1]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = {SECRET}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(fresh))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    shown: list[str] = []
    export(ProfileStore(), "user1", yes=True, show=shown.append)
    assert shown[0].startswith(f"--- /dev/null\n+++ {fresh}")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600 and fresh.read_text().startswith("[profile user1-jupyter]\n")


def test_a_symlinked_config_stays_a_link(config, tmp_path, monkeypatch):
    link = tmp_path / "link"
    link.symlink_to(config)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(link))
    export(ProfileStore(), "marketingadmin", yes=True, show=lambda _: None)
    assert link.is_symlink() and "[profile marketingadmin-jupyter]" in config.read_text()


def test_a_file_changed_while_asking_is_not_overwritten(config):
    def edit_meanwhile(prompt: str) -> str:
        config.write_text(BASE + "[profile added]\nregion = x\n")
        return "y"

    with pytest.raises(AwsRoleError, match="changed meanwhile"):
        export(ProfileStore(), "marketingadmin", ask=edit_meanwhile, show=lambda _: None)
    assert config.read_text() == BASE + "[profile added]\nregion = x\n"


def test_a_profile_name_with_a_space_is_one_word_of_the_command(config):
    config.write_text(
        BASE + '\n[profile "data team"]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = user1\n'
    )
    export(ProfileStore(), "data team", yes=True, show=lambda _: None)
    written = load_config(str(config))["profiles"]["data team-jupyter"]["credential_process"]
    assert "[profile 'data team-jupyter']" in config.read_text()
    assert shlex.split(written)[-2:] == ["credential-process", "data team"]


def test_a_file_that_cannot_be_written_is_one_line_and_left_as_it_was(config, monkeypatch):
    def full_disk(path: str, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jupyter_awsrole.config_export.write_private", full_disk)
    with pytest.raises(AwsRoleError, match=r"Could not write .* \(No space left on device\)\.$"):
        export(ProfileStore(), "marketingadmin", yes=True, show=lambda _: None)
    assert config.read_text() == BASE


def test_a_config_that_cannot_be_read_is_one_line(config, tmp_path, monkeypatch):
    (tmp_path / "credentials").write_text("[user1]\naws_access_key_id = AKIA\naws_secret_access_key = x\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path))  # a folder: botocore sees no config, reading it fails
    with pytest.raises(AwsRoleError, match=r"Cannot read .* \(Is a directory\)\.$"):
        prepare(ProfileStore(), "user1")


def test_an_export_of_another_profile_is_not_retargeted(config):
    config.write_text(BASE + "\n[profile ma]\ncredential_process = jupyter-awsrole credential-process user1\n")
    before = config.read_text()
    with pytest.raises(AwsRoleError, match="Profile 'ma' already exists"):
        export(ProfileStore(), "marketingadmin", "ma", yes=True, show=lambda _: None)
    assert config.read_text() == before


def test_the_refusal_without_stdin_repeats_the_name_given(config):
    def no_stdin(prompt: str) -> str:
        raise EOFError

    with pytest.raises(AwsRoleError, match="To write it anyway: %awsrole --export marketingadmin --as 'my ma' --yes"):
        export(ProfileStore(), "marketingadmin", "my ma", ask=no_stdin, show=lambda _: None)
