"""Every place the package leans on another library's private or provisional API, one small function each.

Each docstring names the versions it was checked against; tests/unit/test_compat.py runs each one
against the real library, so an upgrade that breaks one fails there, by name, and not in a user's kernel.
Nothing heavy is imported at module level: these sit on the path of `%load_ext` and of every switch.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

# -- botocore and boto3 -----------------------------------------------------------------------


def assume_role_cache_key(role_arn: str, extra_args: dict[str, Any]) -> str:
    """botocore's file name for an AssumeRole answer, so the AWS CLI and the kernel share cached sessions.

    Computed as botocore computes it (the SHA-1 of the arguments as sorted JSON, without an empty session name,
    the policy parsed) without importing botocore.credentials: that import cost a fresh kernel's first `--list`
    130 ms. Mirrors the private `BaseAssumeRoleCredentialFetcher._create_cache_key`; checked against botocore
    1.43.117 (tests/unit/test_compat.py compares the two on generated arguments)."""
    try:  # a list of 5,000 profiles asks for the same keys again: scalar arguments (with their types) name a key
        memo: Any = (role_arn, *sorted((name, type(value), value) for name, value in extra_args.items()))
        key = _KEYS.get(memo)
    except TypeError:  # unhashable (PolicyArns, Tags): computed each time
        memo = key = None
    if key is None:
        args = {**extra_args, "RoleArn": role_arn}
        if not args.get("RoleSessionName"):
            args.pop("RoleSessionName", None)  # botocore generates one and leaves it out of the key
        if "Policy" in args:
            args["Policy"] = json.loads(args["Policy"])
        key = hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()  # hex: already file-safe
        if memo is not None:
            if len(_KEYS) >= MAX_KEYS:
                _KEYS.clear()
            _KEYS[memo] = key
    return key


MAX_KEYS = 20_000
_KEYS: dict[Any, str] = {}


def credentials_expiry(credentials: Any) -> datetime.datetime | None:
    """When botocore's refreshable credentials (SSO, web identity, IMDS, ECS) expire; None for static keys.

    Private: `RefreshableCredentials._expiry_time`. Checked against botocore 1.43.117."""
    return getattr(credentials, "_expiry_time", None)


def forget_default_session_credentials(boto3: Any, keep_session: bool) -> None:
    """Make boto3's default session resolve credentials again: keeping the session (when only the
    credentials change) keeps its loaded service data, so the next `boto3.client()` costs 1 ms, not 35 ms.

    `boto3.DEFAULT_SESSION` is public; `Session._session._credentials` is private. Without it this
    drops the whole default session, which is correct, only slower. Checked against boto3 and botocore 1.43.117."""
    core = getattr(getattr(boto3, "DEFAULT_SESSION", None), "_session", None)
    if keep_session and core is not None and hasattr(core, "_credentials"):
        core._credentials = None
    else:
        boto3.DEFAULT_SESSION = None


def filesystem_instances(filesystem_class: Any) -> dict[Any, Any]:
    """The instances fsspec keeps of a filesystem class (s3fs.S3FileSystem), keyed by their arguments:
    changed in place, as `clear_instance_cache()` does, so each role keeps its own warm filesystems.

    Private: `_Cached` metaclass's `cls._cache`. Checked against fsspec 2026.9.0."""
    instances: dict[Any, Any] = filesystem_class._cache
    return instances


def s3fs_connected(filesystem: Any) -> bool:
    """Whether an S3FileSystem has made its S3 client, so its credentials are bound (s3fs connects lazily).

    Private: `S3FileSystem._s3`. Checked against s3fs 2026.9.0."""
    return getattr(filesystem, "_s3", None) is not None


def swap_signing_credentials(signing: Any, access_key: str, secret_key: str, token: str | None) -> None:
    """Make a pooled client sign its next call with other credentials, without building a new client.

    `signing` is `session.get_credentials()` of the session that created the client: botocore keeps that
    very object in the client's request signer and reads these attributes at every signature (private
    behaviour). Checked against botocore 1.43.117."""
    signing.access_key = access_key
    signing.secret_key = secret_key
    signing.token = token


# -- IPython ------------------------------------------------------------------------------------


def rewrite_current_input(shell: Any, line: str, rewrite: Callable[[str], str]) -> None:
    """Apply `rewrite` to every copy IPython keeps of the cell running the magic `line` (In, _ih, _i<n>,
    the next cell's _i, the write cache, the history database), and to no other cell.

    Private: HistoryManager.input_hist_raw / input_hist_parsed / _i00 / db_input_cache(_lock) / db /
    session_number. IPython has no public way to amend history. Checked against IPython 9.18.1."""
    hm = getattr(shell, "history_manager", None)
    if hm is None or not hm.input_hist_raw:
        return
    count = len(hm.input_hist_raw) - 1
    if line.strip() not in hm.input_hist_raw[count]:
        return  # this cell was not stored (silent, or the body of a cell magic), or the line was built in code
    for hist in (hm.input_hist_parsed, hm.input_hist_raw):
        hist[count] = rewrite(hist[count])
    name = f"_i{count}"
    if isinstance(shell.user_ns.get(name), str):
        shell.user_ns[name] = rewrite(shell.user_ns[name])
    hm._i00 = rewrite(hm._i00)  # becomes the next cell's _i
    with hm.db_input_cache_lock:
        hm.db_input_cache[:] = [
            (number, rewrite(source), rewrite(raw)) if number == count else (number, source, raw)
            for number, source, raw in hm.db_input_cache
        ]
        _rewrite_database_row(hm, count, rewrite)


def _rewrite_database_row(hm: Any, count: int, rewrite: Callable[[str], str]) -> None:
    """The cell's row, when IPython already wrote it (its writer thread may run at any time)."""
    try:
        with hm.db:
            rows = hm.db.execute(
                "SELECT source, source_raw FROM history WHERE session = ? AND line = ?", (hm.session_number, count)
            ).fetchall()
            for source, raw in rows:
                hm.db.execute(
                    "UPDATE history SET source = ?, source_raw = ? WHERE session = ? AND line = ?",
                    (rewrite(source), rewrite(raw), hm.session_number, count),
                )
    except Exception:
        pass  # history disabled (a DummyDB): nothing was written


def add_magic_completer(shell: Any, magic: str, complete: Callable[[str], list[str]]) -> None:
    """Complete the arguments of the line magic `magic` (also typed without its %) with
    `complete(text after the magic's name)`; replaces the completer an earlier load added.

    Public: IPython's matcher API (`Completer.custom_matchers`, `context_matcher`, IPython >= 8.6),
    instead of the deprecated `complete_command` hook. Checked against IPython 9.18.1."""
    from IPython.core.completer import (
        CompletionContext,
        SimpleCompletion,
        SimpleMatcherResult,
        context_matcher,
    )

    identifier = f"jupyter_awsrole.{magic}"
    commands = (f"%{magic}", magic)

    @context_matcher(identifier=identifier)
    def matcher(context: CompletionContext) -> SimpleMatcherResult:
        line = context.line_with_cursor
        words = line.split(None, 1)
        if not words or words[0] not in commands:
            return cast("SimpleMatcherResult", {"completions": [], "suppress": False})
        try:
            found = complete(line.split(magic, 1)[-1])
        except KeyboardInterrupt:  # a slow completer is cut short, as IPython's own hook was
            found = []
        token = context.token
        chosen = [text for text in found if text.startswith(token)] or [
            text for text in found if text.lower().startswith(token.lower())
        ]
        completions = [SimpleCompletion(text, type="<unknown>") for text in chosen]
        return cast("SimpleMatcherResult", {"completions": completions, "suppress": bool(chosen), "ordered": True})

    matchers = shell.Completer.custom_matchers
    matchers[:] = [m for m in matchers if getattr(m, "matcher_identifier", None) != identifier]
    matchers.append(matcher)


# -- Jupyter comms -----------------------------------------------------------------------------


def register_comm_target(kernel: Any, target: str, callback: Callable[[Any, dict[str, Any]], None]) -> None:
    """Accept comms a frontend opens to `target`.

    Public: `comm.get_comm_manager()` (comm >= 0.1.3, set to the kernel's own manager by ipykernel >= 6.22);
    `kernel.comm_manager` only where the comm package lacks it. Checked against comm 0.2.3 and ipykernel 7.4.0."""
    try:
        from comm import get_comm_manager
    except ImportError:
        manager = kernel.comm_manager
    else:
        manager = get_comm_manager()
    manager.register_target(target, callback)
