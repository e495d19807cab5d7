"""The AWS CLI's credential cache: same folder, same botocore cache key, so both reuse a session."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
from typing import Any

from .credentials import Credentials, utcnow

log = logging.getLogger(__name__)


def default_cache_dir() -> str:
    """Where the AWS CLI keeps assumed-role credentials."""
    return os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))


def assume_role_key(role_arn: str, extra_args: dict[str, Any]) -> str:
    """botocore's own cache key for an AssumeRole call, computed by botocore itself."""
    from botocore.credentials import AssumeRoleCredentialFetcher

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None, source_credentials=None, role_arn=role_arn, extra_args=dict(extra_args), cache={}
    )
    return fetcher._cache_key


def mfa_session_key(serial: str, source_profile: str) -> str:
    """Our key for a GetSessionToken session; the AWS CLI has no such cache."""
    digest = hashlib.sha1(json.dumps([serial, source_profile]).encode()).hexdigest()
    return f"jupyter-awsrole-mfa-{digest}"


class CredentialCache:
    """JSON files of STS answers, 0600 in a 0700 folder, written atomically by botocore's JSONFileCache."""

    def __init__(self, directory: str | None = None, enabled: bool = True) -> None:
        self.directory = directory or default_cache_dir()
        self.enabled = enabled

    def _files(self) -> Any:
        from botocore.utils import JSONFileCache

        return JSONFileCache(self.directory)

    def load(self, key: str, min_seconds_left: float) -> tuple[Credentials, dict[str, Any]] | None:
        """Cached credentials with at least `min_seconds_left` to live; a corrupt file is skipped."""
        if not self.enabled:
            return None
        path = os.path.join(self.directory, key + ".json")
        if not os.path.exists(path):
            return None
        try:
            with open(path) as handle:
                response = json.load(handle)
            creds = Credentials.from_sts(response["Credentials"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("jupyter-awsrole: ignoring unreadable cache file %s (%s)", path, type(exc).__name__)
            return None
        if creds.seconds_left(utcnow()) < min_seconds_left:
            return None
        return creds, response

    def store(self, key: str, response: dict[str, Any]) -> None:
        """Write an STS answer; failures only warn, the switch itself has worked."""
        if not self.enabled:
            return
        try:
            _private_dir(self.directory)
            self._files()[key] = _jsonable(response)
        except OSError as exc:
            log.warning("jupyter-awsrole: could not write the credential cache (%s)", type(exc).__name__)


def _private_dir(path: str) -> None:
    """Create the folder and any missing parent 0700 whatever the umask; tighten the folder itself."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        current = os.path.dirname(current)
    for folder in reversed(missing):
        os.mkdir(folder, 0o700)
        os.chmod(folder, 0o700)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o700)


def _jsonable(response: dict[str, Any]) -> dict[str, Any]:
    """Drop botocore's ResponseMetadata (request ids, headers) and write times as ISO 8601, which both
    botocore and a plain datetime.fromisoformat read."""
    def iso(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: iso(v) for k, v in value.items()}
        return value.isoformat() if isinstance(value, datetime.datetime) else value

    return {k: iso(v) for k, v in response.items() if k != "ResponseMetadata"}
