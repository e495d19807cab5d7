"""The comm protocol is defined once: the TypeScript types are generated from protocol.py, and the kernel's
messages have the shapes protocol.py declares."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from pathlib import Path
from types import SimpleNamespace

import pytest

from jupyter_awsrole import comm as comm_module
from jupyter_awsrole import protocol, provenance
from jupyter_awsrole.comm import CommChannel
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.events import Event, Problem, ProblemKind
from jupyter_awsrole.listing import Listing, ProfileInfo, matching
from jupyter_awsrole.manager import Status

TYPESCRIPT = Path(__file__).resolve().parents[2] / "labextension" / "src" / "protocol.ts"
EXPIRY = dt.datetime(2030, 1, 1, 12, tzinfo=dt.timezone.utc)
STATE = RoleState(
    "analyst",
    "arn:aws:iam::1:role/a",
    "arn:aws:sts::1:assumed-role/a/s",
    "1",
    None,
    EXPIRY,
    Credentials("ASIAKEY", "secret", "token", EXPIRY),
)
LINK = SimpleNamespace(
    url="https://signin.aws.amazon.com/federation?Action=login&SigninToken=t",
    profile="analyst",
    expires_at="2030-01-01T12:15:00Z",
)
ROWS = [
    ProfileInfo("analyst", "role", "arn:aws:iam::1:role/a", "user1", False, "eu-west-1"),
    ProfileInfo("user1", "empty", "", "", False, ""),
]


@pytest.fixture(autouse=True)
def provenance_back_on():
    """A provenance request turns recording off for the whole process: later tests expect it on."""
    yield
    provenance.set_enabled(True)


def test_the_typescript_types_are_generated_from_protocol_py():
    assert TYPESCRIPT.read_text() == protocol.typescript(), (
        "labextension/src/protocol.ts is stale: run `python -m jupyter_awsrole.protocol > labextension/src/protocol.ts`"
    )


class FakeManager:
    """What CommChannel asks of the RoleManager, and nothing else."""

    def __init__(self) -> None:
        self.state: RoleState | None = STATE
        self.problem: Problem | None = Problem(ProblemKind.NEEDS_MFA, "A new MFA code is needed.")
        self.switched: list[tuple] = []
        self.observers: list = []

    def observe(self, callback, events=None):
        self.observers.append(callback)
        return lambda: None

    def status(self) -> Status:
        return Status(self.state, self.problem)

    def listing(self) -> Listing:
        return Listing(ROWS)

    def needs_code(self, profile: str) -> bool:
        return True

    def unset(self) -> bool:
        self.state = None
        return True

    def switch(self, profile, code=None, options=None, sign_in=False):
        self.switched.append((profile, code, options))
        return STATE if code else None

    def list_page(self, words="", offset=0, limit=200):
        rows = matching(ROWS, words)
        return SimpleNamespace(
            rows=rows[offset : offset + limit],
            total=len(rows),
            offset=offset,
            public=lambda: [row.public() for row in rows[offset : offset + limit]],
        )

    def console_link(self, service=None):
        return LINK


def conforms(value: object, hint: object) -> bool:
    """Whether a JSON value has the shape of a protocol.py type hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return value is None
    if hint is protocol.ProfileRow:  # the fields of listing.ProfileInfo
        hints = typing.get_type_hints(ProfileInfo)
        return (
            isinstance(value, dict)
            and set(value) == set(hints)
            and all(isinstance(v, hints[k]) for k, v in value.items())
        )
    if origin is typing.Literal:
        return value in args
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return any(conforms(value, arg) for arg in args)
    if origin is list:
        return isinstance(value, list) and all(conforms(v, args[0]) for v in value)
    if isinstance(hint, type) and issubclass(hint, dict):  # a TypedDict
        hints = typing.get_type_hints(hint)
        return (
            isinstance(value, dict)
            and set(value) <= set(hints)
            and hint.__required_keys__ <= set(value)
            and all(conforms(v, hints[k]) for k, v in value.items())
        )
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


class Comm:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, data) -> None:
        self.sent.append(data)


@pytest.mark.parametrize("request_id", ["r1", 7, None])
@pytest.mark.parametrize(
    "data",
    [
        {"request": "role"},
        {"request": "list"},
        {"request": "switchable"},
        {"request": "unset"},
        {"request": "needs_code", "profile": "analyst"},
        {"request": "assume", "profile": "analyst"},
        {"request": "assume", "profile": "analyst", "mfa_code": "123456", "region": "eu-west-1", "duration": 900},
        {"request": "assume", "profile": "analyst", "duration": "soon"},
        {"request": "format-disk"},
        {"request": "list", "filter": "an", "offset": 0, "limit": 1},
        {"request": "list", "offset": -1},
        {"request": "console"},
        {"request": "console", "service": "s3"},
        {"request": "provenance", "on": False},
        {"request": "provenance", "on": "off"},
    ],
)
def test_every_reply_has_the_declared_shape_and_carries_the_id_back(data, request_id):
    channel, comm = CommChannel(FakeManager()), Comm()
    request = dict(data, **({} if request_id is None else {"id": request_id}))
    channel._received(comm, {"content": {"data": request}})
    [reply] = comm.sent
    assert conforms(reply, protocol.Reply), reply
    assert reply["id"] == request_id


def test_the_push_has_the_declared_shape_with_a_typed_problem():
    manager = FakeManager()
    channel, comm = CommChannel(manager), Comm()
    channel._comms.append(comm)
    channel._changed(Event.NEEDS_MFA, STATE)
    [push] = comm.sent
    assert conforms(push, protocol.RolePush), push
    assert push["problem"] == {"kind": "needs-mfa", "message": "A new MFA code is needed."}
    assert set(push["role"]) == set(STATE.public()) == protocol.RoleInfo.__required_keys__
    keys = dataclasses.replace(STATE, long_term=True).public()  # the one optional field, only when true
    assert set(keys) == set(typing.get_type_hints(protocol.RoleInfo)) and conforms(keys, protocol.RoleInfo)
    assert "secret" not in str(push) and "token" not in str(push)


def test_switchable_rows_and_options_reach_the_manager():
    manager = FakeManager()
    channel = CommChannel(manager)
    assert [row["name"] for row in channel.handle({"request": "switchable"})["profiles"]] == ["analyst"]
    assert [row["name"] for row in channel.handle({"request": "list"})["profiles"]] == ["analyst", "user1"]
    assert channel.handle({"request": "assume", "profile": "analyst"})["needs_code"] is True
    reply = channel.handle({"request": "assume", "profile": "analyst", "mfa_code": "123456", "duration": 900})
    assert reply["ok"] is True and manager.switched[-1][2].duration == 900
    refused = channel.handle({"request": "assume", "profile": "analyst", "duration": 5})
    assert refused == {"ok": False, "error": "duration must be between 900 and 43200 seconds, not 5."}


def test_the_request_names_are_those_the_request_shapes_declare():
    declared = [
        name
        for shape in typing.get_args(protocol.Request)
        for name in typing.get_args(typing.get_type_hints(shape)["request"])
    ]
    assert sorted(declared) == sorted(protocol.REQUESTS)


def test_the_problem_kinds_on_the_wire_are_the_events_module_kinds():
    kinds = typing.get_args(typing.get_type_hints(protocol.ProblemInfo)["kind"])
    assert sorted(kinds) == sorted(kind.value for kind in ProblemKind)


def test_an_sso_login_prompt_is_what_the_login_push_declares():
    import datetime
    import typing

    from jupyter_awsrole.protocol import LoginInfo
    from jupyter_awsrole.sso_login import LoginPrompt

    prompt = LoginPrompt(
        "sso",
        "https://x.awsapps.com/start",
        "http://h/device",
        "http://h/device?user_code=AB-CD",
        "AB-CD",
        datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc),
    )
    public = prompt.public()
    assert set(public) == set(typing.get_type_hints(LoginInfo))
    assert public["expires_at"] == "2026-01-31T12:00:00Z" and public["user_code"] == "AB-CD"


def test_a_paged_list_answers_one_page_and_the_total():
    channel = CommChannel(FakeManager())
    page = channel.handle({"request": "list", "filter": "", "offset": 1, "limit": 5})
    assert page == {"ok": True, "profiles": [ROWS[1].public()], "total": 2}
    assert "total" not in channel.handle({"request": "list"})  # the old request, the old answer


def test_the_provenance_and_console_pushes_have_the_declared_shapes(monkeypatch):
    channel, comm = CommChannel(FakeManager()), Comm()
    channel._comms.append(comm)
    monkeypatch.setattr(comm_module, "_channel", channel)
    assert comm_module.tell_provenance(False) is False  # a comm the kernel opened, nobody has answered on it
    assert comm_module.open_console(LINK) is False
    assert [push["event"] for push in comm.sent] == ["provenance"]  # the link goes only where someone listens
    channel._heard.append(comm)
    assert comm_module.tell_provenance(False) is True
    assert comm_module.open_console(LINK) is True
    _unheard, provenance, console = comm.sent
    assert conforms(provenance, protocol.ProvenancePush) and provenance == {"event": "provenance", "on": False}
    assert conforms(console, protocol.ConsolePush) and console["url"] == LINK.url
    monkeypatch.setattr(comm_module, "_channel", None)
    assert comm_module.tell_provenance(True) is False and comm_module.open_console(LINK) is False
