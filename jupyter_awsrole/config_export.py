"""`%awsrole --export PROFILE`: a profile in the AWS config whose credential_process serves PROFILE from jupyter-awsrole,
so the AWS CLI, boto3 and every SDK share the notebooks' sessions. Shown and confirmed first; never a secret in it."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import write_private
from .config_reader import profile_map, section_name
from .errors import AwsRoleError
from .profiles import ProfileStore, config_paths

SUFFIX = "-jupyter"  # `marketingadmin` is exported as `marketingadmin-jupyter` unless named
COPIED = ("region", "endpoint_url")  # where the exported profile's calls go, as the original's do
SECRET_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token")
_SETTING = re.compile(r"^\s*([^=#;\s][^=]*?)\s*=\s*(.*?)\s*$")
_BAD_NAME = re.compile(r"[\[\]\r\n#;=]")


def default_name(profile: str) -> str:
    """The exported profile's name when the user gives none."""
    return profile + SUFFIX


def process_command(profile: str) -> str:
    """The credential_process line: this installation's script by its absolute path, since an IDE's SDK runs it
    without this environment on its PATH (else this interpreter with `-m`)."""
    script = Path(sys.executable).with_name("jupyter-awsrole")
    if os.access(script, os.X_OK):
        words = [str(script), "credential-process", profile]
    else:
        words = [sys.executable, "-m", "jupyter_awsrole.cli", "credential-process", profile]
    return shlex.join(words)


def _profile_of(section: str) -> str | None:
    """The profile a section is, as botocore names it (`[profile x]`, `[profile "a b"]`, `[default]`), or None."""
    profiles, _ = profile_map({section: {}})
    return next(iter(profiles), None)


def _header(name: str) -> str:
    """The header of a section for profile `name`, quoted when botocore would split it otherwise."""
    if name == "default":
        return "[default]"
    plain = f"profile {name}"
    return f"[{plain}]" if _profile_of(plain) == name else f"[profile {shlex.quote(name)}]"


@dataclass(frozen=True)
class Change:
    """The config file before and after the export, and what the new section says."""

    path: str  # the file written: the config file, its symlink followed
    shown_path: str  # as the user knows it (AWS_CONFIG_FILE or ~/.aws/config)
    profile: str
    name: str
    before: str | None  # None: the file does not exist yet
    after: str

    @property
    def needed(self) -> bool:
        return (self.before or "") != self.after

    def diff(self) -> str:
        """The change as a unified diff without context: nothing else of the file is shown, so none of its secrets."""
        old, new = (self.before or "").splitlines(keepends=True), self.after.splitlines(keepends=True)
        if old and len(new) >= len(old) and new[len(old) - 1].rstrip("\r\n") == old[-1] != new[len(old) - 1]:
            old[-1] = new[len(old) - 1]  # only the newline a last line lacked: not a change worth showing
        lines = difflib.unified_diff(
            old,
            new,
            fromfile=self.shown_path if self.before is not None else "/dev/null",
            tofile=self.shown_path,
            n=0,
        )
        return "".join(_masked(line if line.endswith("\n") else line + "\n") for line in lines)

    def write(self) -> None:
        """Replace the file atomically with `after`, unless it changed since it was read; its mode stays."""
        now = _read(self.path)
        if now != self.before:
            raise AwsRoleError(f"{self.shown_path} changed meanwhile; nothing was written. Export again.")
        try:
            mode = os.stat(self.path).st_mode & 0o777 if now is not None else 0o600
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            write_private(self.path, self.after)
            if mode != 0o600:
                os.chmod(self.path, mode)
        except OSError as exc:
            raise AwsRoleError(f"Could not write {self.shown_path} ({exc.strerror or type(exc).__name__}).") from None


def _masked(line: str) -> str:
    setting = _SETTING.match(line[1:])
    if setting and setting.group(1).lower() in SECRET_KEYS:
        return f"{line[0]}{setting.group(1)} = ****\n"
    return line


def _read(path: str) -> str | None:
    """The file's text exactly (line ends kept), None when it does not exist."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AwsRoleError(f"Cannot read {path} ({getattr(exc, 'strerror', None) or type(exc).__name__}).") from None


def prepare(store: ProfileStore, profile: str, name: str | None = None) -> Change:
    """What exporting `profile` as `name` changes in the AWS config; refused in one line if it would clobber
    anything or serve a profile that cannot work."""
    plan = store.plan(profile)  # an unknown or broken profile is refused before anything is shown
    name = (name or default_name(profile)).strip()
    if not name or _BAD_NAME.search(name):
        raise AwsRoleError(f"'{name}' cannot name a profile; choose another with --as NAME.")
    if name == profile:
        raise AwsRoleError(f"--as {name} would make profile '{profile}' serve itself; choose another name.")
    shown = config_paths()[0]
    path = os.path.realpath(shown)
    before = _read(path)
    if _section_of(before or "", name) is None and name in store.profiles():
        raise AwsRoleError(
            f"Profile '{name}' already exists in the credentials file; choose another name with --as NAME."
        )
    settings = {"credential_process": process_command(profile)}
    settings.update({key: value for key in COPIED if (value := plan.profile.get(key))})
    return Change(path, shown, profile, name, before, _with_section(before or "", name, profile, settings, shown))


def _section_of(text: str, name: str) -> tuple[int, int] | None:
    """The line span of the section for profile `name`: header to its last setting (trailing comments and blank
    lines belong to what follows)."""
    lines = text.splitlines(keepends=True)
    start = None
    for index, line in enumerate(lines):
        section = section_name(line.strip())
        if section is not None and start is not None:
            break
        if section is not None and _profile_of(section) == name:
            start = end = index
        elif start is not None and _SETTING.match(line):
            end = index
    return None if start is None else (start, end + 1)


def _settings(lines: list[str]) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in lines if (m := _SETTING.match(line))}


def _with_section(text: str, name: str, profile: str, settings: dict[str, str], shown: str) -> str:
    """The file with the export's section: appended, or in place of an earlier export of ours; the rest untouched."""
    newline = "\r\n" if "\r\n" in text else "\n"
    section = [
        _header(name),
        f"# written by %awsrole --export: {profile}'s sessions from jupyter-awsrole; no secret is kept here",
        *(f"{key} = {value}" for key, value in settings.items()),
    ]
    block = newline.join(section) + newline
    lines = text.splitlines(keepends=True)
    span = _section_of(text, name)
    if span is None:
        if not text:
            return block
        ending = "" if text.endswith(("\n", "\r")) else newline
        return text + ending + newline + block
    existing = _settings(lines[span[0] + 1 : span[1]])
    if existing == settings:
        return text
    if _served_by(existing.get("credential_process", "")) != profile:
        raise AwsRoleError(
            f"Profile '{name}' already exists in {shown} with other settings; nothing was changed."
            " Choose another name with --as NAME."
        )
    return "".join(lines[: span[0]]) + block + "".join(lines[span[1] :])


def _served_by(command: str) -> str | None:
    """The profile an earlier export serves (its command ends `credential-process PROFILE`), else None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words[-1] if len(words) >= 2 and words[-2] == "credential-process" else None


def export(
    store: ProfileStore,
    profile: str,
    name: str | None = None,
    *,
    yes: bool = False,
    ask: Callable[[str], str] | None = None,
    show: Callable[[str], None] = print,
) -> str:
    """Show the change, ask (unless `yes`), write it; the one line to print after. `ask` defaults to input() as
    it is at call time (ipykernel swaps it per cell)."""
    change = prepare(store, profile, name)
    if not change.needed:
        return f"{_header(change.name)} in {change.shown_path} already serves {profile}; nothing to change."
    show(change.diff().rstrip("\n"))
    again = shlex.join(["%awsrole", "--export", profile, *(["--as", change.name] if name else []), "--yes"])
    if not yes and not _confirmed(ask, f"Write this to {change.shown_path}? [y/N] ", again):
        return "Nothing was written."
    change.write()
    return (
        f"Wrote {_header(change.name)} to {change.shown_path}: `aws --profile {change.name} ...` and"
        f" boto3.Session(profile_name={change.name!r}) now use {profile}'s sessions, with no prompt while they last."
    )


def _confirmed(ask: Callable[[str], str] | None, prompt: str, again: str) -> bool:
    import builtins

    try:
        answer = (ask or builtins.input)(prompt)
    except Exception as exc:
        if isinstance(exc, (EOFError, OSError)) or type(exc).__name__ == "StdinNotImplementedError":
            raise AwsRoleError(
                f"Cannot ask for confirmation here (no stdin); nothing was written. To write it anyway: {again}."
            ) from None
        raise
    return answer.strip().lower() in ("y", "yes")
