"""`jupyter-awsrole credential-process PROFILE`: the sessions a notebook opened (shared cache, MFA session), served
to the AWS CLI, boto3 and every SDK that reads a profile's `credential_process`.

stdout carries the JSON document the SDKs parse and nothing else; stdin and stdout are the SDK's pipes, so an MFA code
is asked on the controlling terminal, when there is one. Errors are one line on stderr and never hold a secret.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .credentials import RoleState
    from .mfa import MfaSource

PROG = "jupyter-awsrole credential-process"
TERMINAL = "/dev/tty"
# The profiles being served by this process and its parents: a profile whose chain runs its own export again
# (`credential_process` of a source profile naming this command) would otherwise call itself forever.
SERVING = "JUPYTER_AWSROLE_SERVING"


class TerminalPrompt:
    """An MfaSource that asks on the controlling terminal, not echoed (getpass reads and writes /dev/tty)."""

    interactive = True

    def __init__(self, profile: str) -> None:
        self.profile = profile

    def __call__(self, serial: str, retry: str | None = None) -> str:
        import getpass

        asked = f"{PROG}: MFA code for {serial} (profile '{self.profile}'): "
        try:
            return getpass.getpass(f"{retry} {asked}" if retry else asked)
        except EOFError:  # Ctrl-D
            from .errors import MfaError

            raise MfaError(f"No MFA code was typed for profile '{self.profile}'.") from None


class NoTerminal:
    """An MfaSource for a process without a terminal (an IDE's SDK): says which notebook command renews the session."""

    interactive = False

    def __init__(self, profile: str) -> None:
        self.profile = profile

    def __call__(self, serial: str, retry: str | None = None) -> str:
        from .errors import MfaRequired

        raise MfaRequired(
            f"Profile '{self.profile}' needs a new MFA code and there is no terminal to ask on: run"
            f" %awsrole {self.profile} in a notebook (or give the profile an mfa_process), then try again."
        )


def has_terminal(path: str = TERMINAL) -> bool:
    """Whether this process has a controlling terminal to ask on (an SDK run from an IDE has none)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def mfa_source(profile: str, terminal: str = TERMINAL) -> MfaSource:
    """Where a needed code comes from: the terminal if any, else nowhere (a profile's mfa_process still wins)."""
    return TerminalPrompt(profile) if has_terminal(terminal) else NoTerminal(profile)


def resolve(profile: str) -> RoleState:
    """The profile's credentials through the kernel's own core: profiles -> plan -> assumer with the shared cache."""
    from .assumer import Assumer, Policy
    from .cache import CredentialCache
    from .errors import AwsRoleError
    from .profiles import ProfileStore

    serving = [name for name in os.environ.get(SERVING, "").split("\n") if name]
    if profile in serving:
        chain = " -> ".join([*serving, profile])
        raise AwsRoleError(f"Profile '{profile}' leads back to itself through credential_process ({chain}).")
    plan = ProfileStore().plan(profile)
    source = mfa_source(profile)
    before = os.environ.get(SERVING)
    os.environ[SERVING] = "\n".join([*serving, profile])  # seen by the credential_process of a source profile
    try:
        return Assumer(CredentialCache()).resolve(plan, source, dict(os.environ), policy=Policy.from_settings())
    finally:
        if before is None:
            del os.environ[SERVING]
        else:
            os.environ[SERVING] = before


def document(state: RoleState) -> dict[str, Any]:
    """The JSON the SDKs expect from a credential_process (Version 1); long-term keys carry no Expiration."""
    creds = state.credentials
    answer: dict[str, Any] = {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
    }
    if creds.session_token:
        answer["SessionToken"] = creds.session_token
    if not state.long_term:
        answer["Expiration"] = state.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    return answer


def run(profile: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the profile's credentials as JSON, or one line on stderr and a non-zero status."""
    out, err = out or sys.stdout, err or sys.stderr
    from .errors import AwsRoleError

    try:
        text = json.dumps(document(resolve(profile)))
    except AwsRoleError as exc:
        message = str(exc)
    except KeyboardInterrupt:
        message = "interrupted; nothing was served."
    except Exception as exc:  # never a traceback: its frames hold credentials
        message = f"could not serve profile '{profile}' ({type(exc).__name__})."
    else:
        out.write(text + "\n")
        out.flush()
        return 0
    err.write(f"{PROG}: {message}\n")
    err.flush()
    return 1
