"""The comm protocol between the kernel and the lab extension, defined once.

`labextension/src/protocol.ts` is generated from this module (`python -m jupyter_awsrole.protocol`), and a
test checks that the checked-in file is what this module generates, so the two sides cannot drift.
No message ever has a top-level "state" key: nbclient (nbconvert --execute, papermill) takes any comm
message with one for widget state and crashes on it.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Literal, NewType, TypedDict, Union

TARGET = "jupyter_awsrole"
MAX_MESSAGE_BYTES = 16 * 1024
REQUESTS = ("role", "list", "switchable", "needs_code", "assume", "unset", "provenance", "console")

RequestId = str | int | None  # what a request's "id" may be; the reply carries it back as it came


class _RoleInfo(TypedDict):
    profile: str
    role_arn: str
    session_arn: str
    account: str
    region: str | None
    expiration: str  # UTC, like 2026-01-31T12:00:00Z


class RoleInfo(_RoleInfo, total=False):
    """What the lab may know of the active role: never a secret (RoleState.public())."""

    long_term: bool  # keys that never expire: `expiration` is only when the kernel reads them again


class ProblemInfo(TypedDict):
    """Why the active role could not be renewed (events.Problem)."""

    kind: Literal["needs-mfa", "refresh-failed"]
    message: str


class SharingInfo(TypedDict):
    """The Dask clusters the role is shared with (sharing.summary()): how many, with how many workers in all."""

    clusters: int
    workers: int


class _RolePush(TypedDict):
    event: Literal["role"]
    role: RoleInfo | None
    problem: ProblemInfo | None


class ForgetPush(TypedDict):
    """Sent by `%awsrole --forget`: the notebook stops remembering its profile (metadata `jupyter_awsrole`)."""

    event: Literal["forget"]


class RolePush(_RolePush, total=False):
    """Sent when a comm opens and on every change of role."""

    sharing: SharingInfo


class ProvenancePush(TypedDict):
    """Sent by `%awsrole --provenance on|off`: the notebook keeps the choice in its metadata `jupyter_awsrole`."""

    event: Literal["provenance"]
    on: bool


class ConsolePush(TypedDict):
    """Sent by `%awsrole --console`: a sign-in link to the AWS console (a credential for 15 minutes: never stored)."""

    event: Literal["console"]
    url: str
    profile: str
    expires_at: str  # UTC, like 2026-01-31T12:00:00Z


class ProvenanceInfo(TypedDict):
    """Which identity produced a cell's outputs (provenance.record()): execute_reply and cell metadata `jupyter_awsrole`."""

    profile: str
    role_arn: str
    account: str


class LoginInfo(TypedDict):
    """An SSO sign-in waiting for approval (sso_login.LoginPrompt.public()): the link and the code to show."""

    profile: str
    start_url: str
    verification_uri: str
    verification_uri_complete: str
    user_code: str
    expires_at: str  # UTC, like 2026-01-31T12:00:00Z


class LoginPush(TypedDict):
    """Sent when an SSO sign-in starts (login set) and when it ends (login null), as RoleManager.login says."""

    event: Literal["sso-login"]
    login: LoginInfo | None


# One profile, as `%awsrole --list` shows it: the fields of listing.ProfileInfo, the one place they are declared.
ProfileRow = NewType("ProfileRow", dict)


class _Request(TypedDict, total=False):
    id: RequestId


class SimpleRequest(_Request):
    """The role and problem now, the switchable profiles, or back to the environment before."""

    request: Literal["role", "switchable", "unset"]


class _ListRequest(_Request):
    request: Literal["list"]


class ListRequest(_ListRequest, total=False):
    """Profiles matching `filter` (the words of `%awsrole --list`), `limit` of them from `offset`; all without them."""

    filter: str
    offset: int
    limit: int


class ProvenanceRequest(_Request):
    """Record (or stop recording) which identity ran each cell, in its execute_reply metadata."""

    request: Literal["provenance"]
    on: bool


class _ConsoleRequest(_Request):
    request: Literal["console"]


class ConsoleRequest(_ConsoleRequest, total=False):
    """A sign-in link to the AWS console for the active role (at `service`'s page when given)."""

    service: str


class NeedsCodeRequest(_Request):
    """Whether switching to `profile` now needs an MFA code."""

    request: Literal["needs_code"]
    profile: str


class _AssumeRequest(_Request):
    request: Literal["assume"]
    profile: str


class AssumeRequest(_AssumeRequest, total=False):
    """Switch to `profile`, with the code typed (if any) and any field of options.Options."""

    mfa_code: str


Request = SimpleRequest | ListRequest | NeedsCodeRequest | AssumeRequest | ProvenanceRequest | ConsoleRequest


class _Answer(TypedDict):
    ok: bool


class Answer(_Answer, total=False):
    """What a request gets back, before the request's id is added."""

    error: str
    needs_code: bool
    role: RoleInfo | None
    profiles: list[ProfileRow]
    total: int  # how many profiles match a paged "list" request
    problem: ProblemInfo | None
    console_url: str


class Reply(Answer):
    """An answer with the id of its request, as the request sent it (null when it had none)."""

    id: RequestId


# -- the TypeScript side -------------------------------------------------------------------------------

MESSAGES: tuple[type, ...] = (
    RoleInfo,
    ProblemInfo,
    SharingInfo,
    RolePush,
    ForgetPush,
    LoginInfo,
    LoginPush,
    ProvenancePush,
    ProvenanceInfo,
    ConsolePush,
    SimpleRequest,
    ListRequest,
    NeedsCodeRequest,
    AssumeRequest,
    ProvenanceRequest,
    ConsoleRequest,
    Answer,
    Reply,
)
EXTENDS = {AssumeRequest: "Partial<IOptions>", Reply: "IAnswer"}  # TypedDicts forget their bases
PRINT_WIDTH = 100  # labextension/.prettierrc
HEADER = (
    "/**\n"
    " * The comm protocol's messages, generated by `python -m jupyter_awsrole.protocol`\n"
    " * from jupyter_awsrole/protocol.py: do not edit (a test compares the two).\n"
    " */\n"
)


def typescript() -> str:
    """labextension/src/protocol.ts: the shapes above (and the dataclasses they name) as TypeScript."""
    from .listing import ProfileInfo
    from .options import Options

    parts = [
        HEADER,
        f"export const TARGET = {_literal(TARGET)};\n",
        f"export const MAX_MESSAGE_BYTES = {MAX_MESSAGE_BYTES};\n",
        f"export type RequestId = {_ts_union(RequestId)};\n",
        f"/** Any request; the client adds the id. */\n{_type_alias('Request', typing.get_args(Request))}",
        _dataclass("IOptions", Options, required=False),
        _dataclass("IProfileRow", ProfileInfo, required=True),
    ]
    for shape in MESSAGES:
        hints = typing.get_type_hints(shape)
        inherited = set(typing.get_type_hints(Answer)) if shape is Reply else set()
        required = shape.__required_keys__  # type: ignore[attr-defined]
        members = [(name, hints[name], name in required) for name in hints if name not in inherited]
        parts.append(_interface(f"I{shape.__name__}", _first_line(shape.__doc__), members, EXTENDS.get(shape)))
    return "\n".join(parts)


def _dataclass(name: str, cls: type, required: bool) -> str:
    """A dataclass as the JSON object of its fields (every one optional unless `required`)."""
    hints = typing.get_type_hints(cls)
    members = [(f.name, hints[f.name], required) for f in dataclasses.fields(cls)]
    return _interface(name, f"{_first_line(cls.__doc__)} ({cls.__module__.split('.')[-1]}.{cls.__name__})", members)


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc else ""


def _interface(name: str, doc: str, members: list[tuple[str, object, bool]], extends: str | None = None) -> str:
    head = f"export interface {name}" + (f" extends {extends}" if extends else "")
    lines = [f"/** {doc} */\n" if doc else "", head + " {\n"]
    for member, hint, required in members:
        lines.append(f"  {member}{'' if required else '?'}: {_ts(hint)};\n")
    return "".join(lines) + "}\n"


def _ts(hint: object) -> str:
    """A Python type hint, said in TypeScript."""
    simple = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
    if isinstance(hint, type) and hint in simple:
        return simple[hint]
    if hint == RequestId:
        return "RequestId"
    if hint is ProfileRow:
        return "IProfileRow"
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return " | ".join(_literal(arg) for arg in args)
    if origin in (Union, types.UnionType):
        return _ts_union(hint)
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        inner = _ts(args[0])
        return f"({inner})[]" if "|" in inner else f"{inner}[]"
    if origin is tuple:  # a fixed-length tuple is a JSON array of that many items
        return "[" + ", ".join(_ts(arg) for arg in args) + "]"
    if isinstance(hint, type) and hint in MESSAGES:
        return f"I{hint.__name__}"
    raise TypeError(f"no TypeScript for {hint!r}")


def _type_alias(name: str, members: tuple[object, ...]) -> str:
    """`export type name = A | B;`, one member a line when that is too long for one line (as prettier has it)."""
    names = [_ts(member) for member in members]
    line = f"export type {name} = {' | '.join(names)};\n"
    return (
        line
        if len(line) <= PRINT_WIDTH + 1
        else f"export type {name} =\n" + "".join(f"\n  | {n}" for n in names)[1:] + ";\n"
    )


def _ts_union(hint: object) -> str:
    return " | ".join(_ts(arg) for arg in typing.get_args(hint))


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)


if __name__ == "__main__":
    sys.stdout.write(typescript())
