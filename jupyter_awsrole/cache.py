"""The AWS CLI's credential cache: same folder, same botocore cache key, so both reuse a session.

Files are STS answers, 0600, written atomically. Folders the package creates are 0700; folders it did not
create keep their mode. A folder that another user owns or that others can write to (group-writable counts,
unless the group is the user's own private group) is neither
read (a planted file would make the kernel run as someone else's session) nor written (others could read
or swap the files): the switch still works, uncached, and the user is told once why.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import stat
import tempfile
from typing import Any

from .compat import assume_role_cache_key
from .credentials import Credentials, MalformedCredentials, checked_text, utcnow

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1 << 20  # an STS answer is about 2 KB


class UnsafeFolder(Exception):
    """The cache folder is not the user's alone; the message says why, for one warning line."""


def default_cache_dir() -> str:
    """Where the AWS CLI keeps assumed-role credentials."""
    return os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))


def assume_role_key(role_arn: str, extra_args: dict[str, Any]) -> str:
    """botocore's own cache key for an AssumeRole call, computed by botocore itself."""
    return assume_role_cache_key(role_arn, extra_args)


def mfa_session_key(serial: str, source_profile: str) -> str:
    """Our key for a GetSessionToken session; the AWS CLI has no such cache."""
    digest = hashlib.sha1(json.dumps([serial, source_profile]).encode()).hexdigest()
    return f"jupyter-awsrole-mfa-{digest}"


class CredentialCache:
    """JSON files of STS answers in the AWS CLI's layout; bad files are misses, failed writes only warn."""

    def __init__(self, directory: str | None = None, enabled: bool = True) -> None:
        self.directory = directory or default_cache_dir()
        self.enabled = enabled
        self._told: set[Any] = set()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + ".json")

    def load(self, key: str, min_seconds_left: float) -> tuple[Credentials, dict[str, Any]] | None:
        """Cached credentials with at least `min_seconds_left` to live; a corrupt file is a miss with one warning,
        a folder others can write to a silent miss (store() tells)."""
        if not self.enabled:
            return None
        path = self._path(key)
        if not os.path.lexists(path) or folder_problem(self.directory):
            return None
        try:
            creds, response = checked_response(_read_json(path))
        except Exception as exc:  # whatever is in the file, a cache read is only ever a miss
            self._warn_unreadable(path, exc)
            return None
        if creds.seconds_left(utcnow()) < min_seconds_left:
            return None
        return creds, response

    def store(self, key: str, response: dict[str, Any]) -> None:
        """Write an STS answer; failures only warn, the switch itself has worked."""
        if not self.enabled:
            return
        try:
            private_dir(self.directory)
            write_private(self._path(key), json.dumps(_jsonable(response)))
        except UnsafeFolder as exc:
            self._tell_once(
                ("unsafe", self.directory, str(exc)),
                "jupyter-awsrole: not caching credentials in %s: %s; the role works, uncached",
                self.directory,
                exc,
            )
        except (OSError, TypeError, ValueError) as exc:
            log.warning("jupyter-awsrole: could not write the credential cache (%s)", type(exc).__name__)

    def _warn_unreadable(self, path: str, exc: BaseException) -> None:
        """One line per corrupt file version, however many times a switch looks at it."""
        with contextlib.suppress(OSError):
            info = os.stat(path)
            version = (path, info.st_mtime_ns, info.st_size, info.st_ino)
            if version in self._told:
                return
            self._told.add(version)
        log.warning("jupyter-awsrole: ignoring unreadable cache file %s (%s)", path, type(exc).__name__)

    def _tell_once(self, what: Any, message: str, *args: Any) -> None:
        if what not in self._told:
            self._told.add(what)
            log.warning(message, *args)


def _read_json(path: str) -> Any:
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError("cache file too large")
    return json.loads(data)


def checked_response(data: Any) -> tuple[Credentials, dict[str, Any]]:
    """A cached STS answer reduced to the fields the package reads, each of a checked type."""
    if not isinstance(data, dict):
        raise MalformedCredentials("The cache entry is not an object.")
    creds = Credentials.from_sts(data.get("Credentials"))
    if creds.session_token is None or creds.expiration is None:
        raise MalformedCredentials("The cached credentials lack SessionToken or Expiration.")
    response: dict[str, Any] = {
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration.isoformat(),
        }
    }
    if "AssumedRoleUser" in data:
        response["AssumedRoleUser"] = _checked_user(data["AssumedRoleUser"])
    return creds, response


def _checked_user(user: Any) -> dict[str, str]:
    """AssumedRoleUser: an object whose Arn is an ARN string (its account and role name are shown)."""
    if not isinstance(user, dict):
        raise MalformedCredentials("AssumedRoleUser is not an object.")
    arn = checked_text(user, "Arn")
    if not arn.startswith("arn:") or arn.count(":") < 5:
        raise MalformedCredentials("AssumedRoleUser.Arn is not an ARN.")
    checked = {"Arn": arn}
    if "AssumedRoleId" in user:
        checked["AssumedRoleId"] = checked_text(user, "AssumedRoleId")
    return checked


def folder_problem(path: str) -> str | None:
    """Why credentials must not be kept in this folder (another owner, writable by others), or None."""
    try:
        info = os.stat(path)  # follows a symlink: what matters is the folder the files land in
    except OSError:
        return None  # missing: it will be created private
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return "it belongs to another user"
    writable_by_others = info.st_mode & 0o002 or (info.st_mode & 0o020 and not _private_group(info.st_gid))
    if writable_by_others:
        return f"other users can write to it (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _private_group(gid: int) -> bool:
    """A user's own group (umask 002 systems give every user one): group-writable then means the user alone."""
    try:
        import grp
        import pwd

        user = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(gid)
    except (ImportError, KeyError):
        return False
    return gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def private_dir(path: str) -> None:
    """Create the folder and any missing parent 0700 whatever the umask; never change a folder that exists."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        current = os.path.dirname(current)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # another kernel made it first: not ours to change
        os.chmod(folder, 0o700)  # a umask can take bits away from mkdir's mode
    problem = folder_problem(path)
    if problem:
        raise UnsafeFolder(problem)


def write_private(path: str, text: str) -> None:
    """Replace `path` atomically with a 0600 file; on any failure no temporary file is left behind."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _jsonable(response: dict[str, Any]) -> dict[str, Any]:
    """Drop botocore's ResponseMetadata (request ids, headers) and write times as ISO 8601, which both
    botocore and a plain datetime.fromisoformat read."""

    def iso(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: iso(v) for k, v in value.items()}
        return value.isoformat() if isinstance(value, datetime.datetime) else value

    return {k: iso(v) for k, v in response.items() if k != "ResponseMetadata"}
