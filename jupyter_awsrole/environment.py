"""Installing credentials into the kernel: os.environ for everything, plus the SDK caches that ignore it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

from . import filesystems
from .compat import forget_default_session_credentials
from .credentials import RoleState
from .errors import AwsRoleError

MANAGED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)


class Variables(dict):
    """A dict of AWS_* variables whose repr names them only: `%xmode Verbose` prints every frame's locals."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self)})"

    __str__ = __repr__

    def copy(self) -> Variables:
        """dict.copy() would return a plain dict, whose repr shows the values."""
        return Variables(self)


def snapshot(environ: Mapping[str, str] | None = None) -> Variables:
    """The managed variables as they are now: what `--unset` puts back."""
    env = os.environ if environ is None else environ
    return Variables((name, env[name]) for name in MANAGED if name in env)


def role_environment(state: RoleState, baseline: Mapping[str, str]) -> Variables:
    """The managed variables for a role: its credentials, its region, no profile selection."""
    creds = state.credentials
    values = Variables(
        (name, baseline[name]) for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL") if name in baseline
    )
    values.update(
        AWS_ACCESS_KEY_ID=creds.access_key_id,
        AWS_SECRET_ACCESS_KEY=creds.secret_access_key,
        AWS_CREDENTIAL_EXPIRATION=state.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    if creds.session_token:
        values["AWS_SESSION_TOKEN"] = creds.session_token
    if state.region:
        values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = state.region
    if state.endpoint_url:
        values["AWS_ENDPOINT_URL"] = state.endpoint_url
    return values


def endpoint_environment(state: RoleState, baseline: Mapping[str, str], endpoint: Mapping[str, str]) -> Variables:
    """The managed variables for a role served by the kernel's endpoint: its URI and token, its region, no
    static keys (they win over the URI in every SDK) and no profile selection."""
    values = Variables(
        (name, baseline[name]) for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL") if name in baseline
    )
    values.update(endpoint)
    if state.region:
        values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = state.region
    if state.endpoint_url:
        values["AWS_ENDPOINT_URL"] = state.endpoint_url
    return values


def apply(values: Mapping[str, str], environ: MutableMapping[str, str] | None = None) -> None:
    """Make the managed variables exactly `values`, then reset SDK caches: all of it, or nothing and AwsRoleError."""
    env = os.environ if environ is None else environ
    wanted = checked(values)
    before = snapshot(env)
    profiles = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
    profile_changed = any(env.get(name) != wanted.get(name) for name in profiles)
    try:
        _replace(env, wanted)
        reset_sdk_caches(profile_changed, wanted.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
    except Exception as exc:
        _replace(env, before)
        kind = type(exc).__name__  # a verbose traceback shows the names of the raising line, so not exc
        raise AwsRoleError(f"Could not install the AWS variables ({kind}); nothing changed.") from None


def checked(values: Mapping[str, Any]) -> Variables:
    """The variables to install, refused as a whole if one could not go into the process environment."""
    for name, value in values.items():
        kind = type(value).__name__  # named apart: a verbose traceback shows what the raising line names
        if name not in MANAGED:
            raise AwsRoleError(f"{name} is not a variable jupyter-awsrole manages.")
        if not isinstance(value, str):
            raise AwsRoleError(f"Cannot install {name}: its value is a {kind}, not text.")
        if "\0" in value:
            raise AwsRoleError(f"Cannot install {name}: its value holds a NUL byte.")
        try:
            value.encode(sys.getfilesystemencoding(), "surrogateescape")
        except UnicodeEncodeError:
            raise AwsRoleError(f"Cannot install {name}: its value cannot be encoded for the environment.") from None
    return Variables(values)


def _replace(env: MutableMapping[str, str], values: Mapping[str, str]) -> None:
    """Set `values` and remove every other managed variable, as one step for other threads."""
    # Holding the interpreter on this thread makes torn reads (a key of one role with the secret of
    # another) rarer, not impossible: C code and released-GIL calls still run in other threads.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        for name, value in values.items():
            env[name] = value
        for name in MANAGED:
            if name not in values:
                env.pop(name, None)
    finally:
        sys.setswitchinterval(interval)


def reset_sdk_caches(profile_changed: bool = True, served_at: str | None = None) -> None:
    """boto3's default session and fsspec's S3FileSystem instances keep old credentials; make them forget
    (the filesystems of a role served at `served_at`, an endpoint URI, are kept for its next switch)."""
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        forget_default_session_credentials(boto3, keep_session=not profile_changed)
    filesystems.follow(served_at)
