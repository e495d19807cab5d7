"""MFA codes from a command (`mfa_process` in a profile, as aws-vault reads it, or `AwsRole.mfa_process`):
ykman, 1Password's `op`, any program that prints the code. Its output is checked and never logged or kept."""

from __future__ import annotations

import re
import subprocess

from .errors import MfaError
from .profiles import Hop

DEFAULT_TIMEOUT = 15.0
_CODE = re.compile(r"[0-9]{6}")


def command_for(hop: Hop, default: str) -> str | None:
    """The command that makes this hop's MFA codes: the profile's own mfa_process, else the setting's."""
    if not hop.mfa_serial:
        return None
    return hop.profile.get("mfa_process") or default.strip() or None


class ProcessCode:
    """An MfaSource that runs a command (through /bin/sh, like aws-vault) and takes what it prints."""

    interactive = False

    def __init__(self, command: str, profile: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.command = command
        self.profile = profile
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ProcessCode(profile={self.profile!r})"

    def __call__(self, serial: str, retry: str | None = None) -> str:
        if retry:
            raise MfaError(f"mfa_process of profile '{self.profile}': {retry}")
        where = f"mfa_process of profile '{self.profile}'"
        try:
            done = subprocess.run(
                ["/bin/sh", "-c", self.command],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MfaError(f"{where} gave no code within {self.timeout:g} s.") from None
        except OSError as exc:
            raise MfaError(f"{where} could not be started ({type(exc).__name__}).") from None
        if done.returncode != 0:
            raise MfaError(f"{where} failed (exit status {done.returncode}).")
        code = done.stdout.decode(errors="replace").strip()
        del done  # nothing of its output stays around
        if not _CODE.fullmatch(code):
            raise MfaError(f"{where} printed no 6-digit code.")
        return code
