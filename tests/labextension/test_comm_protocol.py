"""The comm the lab extension talks through, driven from jupyter_client against a real kernel."""

from __future__ import annotations

import queue
import time
import uuid
from typing import Any, Callable

import pytest

from tests.support.cells import WHOAMI
from tests.support.kernel import Kernel, Run
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

TARGET = "jupyter_awsrole"
# 'none' when no role is installed, in either credential mode; never prints a value
NO_ROLE_INSTALLED = (
    "'set' if {'AWS_SESSION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'} & set(__import__('os').environ) else 'none'"
)


class CommClient:
    """A frontend's end of the comm: opens it, sends requests, and keeps every comm message the kernel sent."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.kc = kernel.kc
        self.comm_id = uuid.uuid4().hex
        self.seen: list[dict] = []  # every comm_open / comm_msg content from the kernel, on any comm
        self._backlog: list[dict] = []

    def _shell(self, msg_type: str, content: dict) -> None:
        self.kc.shell_channel.send(self.kc.session.msg(msg_type, content))

    def open(self) -> dict:
        self._shell("comm_open", {"comm_id": self.comm_id, "target_name": TARGET, "data": {}})
        return self.wait(lambda d: d.get("event") == "role")

    def send(self, data: Any) -> None:
        self._shell("comm_msg", {"comm_id": self.comm_id, "data": data})

    def request(self, data: Any, timeout: float = 60) -> dict:
        """Send one request and return the reply with the same id (or the next reply, when it has no id)."""
        request_id = data.get("id") if isinstance(data, dict) else None
        self.send(data)
        return self.wait(lambda d: "ok" in d and d.get("id") == request_id, timeout)

    def ask(self, request: str, **fields: Any) -> dict:
        return self.request({"id": uuid.uuid4().hex, "request": request, **fields})

    def record(self, run: Run) -> Run:
        """Keep the comm messages a cell's execution carried (they are gone from iopub once read)."""
        for msg in run.messages:
            if msg["header"]["msg_type"] in ("comm_open", "comm_msg"):
                self.seen.append(msg["content"])
        return run

    def run(self, code: str, **kwargs: Any) -> Run:
        return self.record(self.kernel.run(code, **kwargs))

    def pushes(self, run: Run, event: str = "role") -> list[dict]:
        """Pushes of one kind (state pushes by default) on our comm during one execution."""
        return [m["content"]["data"] for m in run.messages if m["header"]["msg_type"] == "comm_msg"
                and m["content"]["comm_id"] == self.comm_id and m["content"]["data"].get("event") == event]

    def wait(self, predicate: Callable[[dict], bool], timeout: float = 60) -> dict:
        """The next message on our comm whose data satisfies predicate, read straight from iopub."""
        for i, data in enumerate(self._backlog):
            if predicate(data):
                return self._backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching comm message; backlog: {self._backlog}")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(left, 1))
            except queue.Empty:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "comm_close" and msg["content"]["comm_id"] == self.comm_id:
                raise AssertionError("the kernel closed the comm")
            if kind not in ("comm_open", "comm_msg"):
                continue
            self.seen.append(msg["content"])
            if kind == "comm_msg" and msg["content"]["comm_id"] == self.comm_id:
                data = msg["content"]["data"]
                if predicate(data):
                    return data
                self._backlog.append(data)


def assert_no_state_key(seen: list[dict]) -> None:
    """nbclient (nbconvert --execute, papermill) takes a comm message with a top-level "state" for widget state."""
    with_state = [c.get("comm_id") for c in seen if isinstance(c.get("data"), dict) and "state" in c["data"]]
    assert with_state == [], f"{len(with_state)} comm message(s) with a top-level 'state' key"


@pytest.fixture
def comm(kernel):
    client = CommClient(kernel)
    client.record(kernel.run("%load_ext jupyter_awsrole").ok())
    return client


def test_loading_the_extension_opens_a_comm_to_the_frontend_with_the_state(kernel):
    run = kernel.run("%load_ext jupyter_awsrole").ok()
    opens = [m["content"] for m in run.messages if m["header"]["msg_type"] == "comm_open"]
    assert [o["target_name"] for o in opens] == [TARGET]
    assert opens[0]["data"] == {"event": "role", "role": None, "problem": None}
    unset = kernel.run("%awsrole analyst\n%awsrole --unset").ok()
    assert_no_state_key([m["content"] for m in run.messages + unset.messages
                         if m["header"]["msg_type"] in ("comm_open", "comm_msg")])


def test_a_comm_to_a_kernel_without_the_extension_is_closed(kernel):
    client = CommClient(kernel)
    client._shell("comm_open", {"comm_id": client.comm_id, "target_name": TARGET, "data": {}})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        msg = kernel.kc.get_iopub_msg(timeout=30)
        if msg["header"]["msg_type"] == "comm_close" and msg["content"]["comm_id"] == client.comm_id:
            break
    else:
        pytest.fail("the kernel kept a comm to a target it does not have")
    assert kernel.value("1 + 1") == "2"


def test_state_is_pushed_on_open_magic_unset_and_refresh(comm, local_aws, home):
    first = comm.open()
    assert first == {"event": "role", "role": None, "problem": None}

    run = comm.run("%awsrole analyst").ok()
    pushed = comm.pushes(run)
    assert pushed and pushed[-1]["role"]["profile"] == "analyst"
    state = pushed[-1]["role"]
    assert state["account"] == "123456789012"
    assert state["role_arn"].endswith(":role/analystrole")
    assert state["expiration"].endswith("Z") and "T" in state["expiration"]
    assert pushed[-1]["problem"] is None

    # A background refresh (nothing executing) is pushed too.
    comm.run("%config AwsRole.refresh_margin_seconds = 3597").ok()
    refreshed = comm.wait(lambda d: d.get("event") == "role" and (d.get("role") or {}).get("profile") == "analyst"
                          and d["role"]["expiration"] != state["expiration"], timeout=20)
    assert refreshed["role"]["session_arn"].startswith("arn:aws:sts::123456789012:assumed-role/analystrole/")
    comm.run("%config AwsRole.refresh_margin_seconds = 300").ok()

    run = comm.run("%awsrole --unset").ok()
    assert comm.pushes(run)[-1] == {"event": "role", "role": None, "problem": None}
    assert comm.ask("role") == {"id": comm.seen[-1]["data"]["id"], "ok": True, "role": None, "problem": None}

    assert_no_leak(secrets_in_play(local_aws, home), comm.seen, "the comm messages")
    assert_no_state_key(comm.seen)


def test_list_needs_code_assume_and_unset_over_the_comm(comm, kernel, local_aws, home):
    comm.open()
    profiles = {p["name"]: p for p in comm.ask("list")["profiles"]}
    assert {"marketingadmin", "analyst", "reporting"} <= set(profiles)
    marketing = profiles["marketingadmin"]
    assert marketing["kind"] == "role" and marketing["mfa"] is True
    assert marketing["role_arn"] == "arn:aws:iam::123456789012:role/marketingadminrole"
    assert set(marketing) == {"name", "kind", "role_arn", "source", "mfa", "region", "problem", "mfa_state"}
    assert marketing["mfa_state"] == "code needed"  # listing.mfa_state: the words every front end shows
    assert profiles["analyst"]["mfa"] is False and profiles["analyst"]["mfa_state"] == "no MFA"

    assert comm.ask("needs_code", profile="marketingadmin") == {
        "id": comm.seen[-1]["data"]["id"], "ok": True, "needs_code": True}
    assert comm.ask("needs_code", profile="analyst")["needs_code"] is False

    refused = comm.ask("assume", profile="marketingadmin")
    assert refused["ok"] is False and refused["needs_code"] is True and refused["error"]
    assert kernel.value(NO_ROLE_INSTALLED) == "none"

    wrong = comm.ask("assume", profile="marketingadmin", mfa_code=local_aws.wrong_mfa_code())
    assert wrong["ok"] is False and "\n" not in wrong["error"] and wrong["error"]

    reply = comm.ask("assume", profile="marketingadmin", mfa_code=local_aws.mfa_code())
    assert reply["ok"] is True, reply
    assert reply["role"]["profile"] == "marketingadmin"
    assert reply["role"]["role_arn"].endswith(":role/marketingadminrole")
    pushed = comm.wait(lambda d: d.get("event") == "role" and d.get("role") is not None)
    assert pushed["role"] == reply["role"]
    assert "assumed-role/marketingadminrole/" in comm.run(WHOAMI).ok().stdout
    # The MFA session is open now: the switcher's rows say so, as the picker and --list do.
    rows = {p["name"]: p for p in comm.ask("switchable")["profiles"]}
    assert rows["marketingadmin"]["mfa_state"] == rows["reporting"]["mfa_state"] == "session open"
    assert rows["analyst"]["mfa_state"] == "no MFA"
    listed = comm.run("%awsrole --list").ok().plain
    assert "session open" in listed and "code needed" not in listed
    assert "session open" in comm.run("%awsrole").ok().plain

    assert comm.ask("role")["role"]["profile"] == "marketingadmin"
    unset = comm.ask("unset")
    assert unset["ok"] is True and unset["role"] is None
    assert comm.wait(lambda d: d.get("event") == "role")["role"] is None
    assert "assumed-role" not in comm.run(WHOAMI).ok().stdout

    assert len(secrets_in_play(local_aws, home)) >= 6
    assert_no_leak(secrets_in_play(local_aws, home), comm.seen, "the comm messages")
    assert_no_state_key(comm.seen)


@pytest.mark.parametrize("data", [
    "state",
    ["state"],
    42,
    None,
    {"id": "u1", "request": "format-disk"},
    {"id": "u2"},
    {"id": "h1", "request": "assume", "profile": "analyst", "padding": "x" * 20_000},
    {"id": "p1", "request": "assume", "profile": 123},
    {"id": "p2", "request": "needs_code", "profile": ["analyst"]},
    {"id": "p3", "request": "assume", "profile": ""},
    {"id": "p4", "request": "assume", "profile": "no-such-profile"},
    {"id": "c1", "request": "assume", "profile": "marketingadmin", "mfa_code": "12ab56"},
    {"id": "c2", "request": "assume", "profile": "marketingadmin", "mfa_code": "1234567"},
    {"id": "c3", "request": "assume", "profile": "marketingadmin", "mfa_code": 123456},
    {"id": "v1", "request": "provenance", "on": "off"},
    {"id": "v2", "request": "provenance"},
    {"id": "s1", "request": "console", "service": 5},
    {"id": "s2", "request": "console", "service": "s3"},
], ids=["string", "list", "number", "null", "unknown-request", "no-request", "huge", "profile-int",
        "profile-list", "profile-empty", "profile-unknown", "code-letters", "code-7-digits", "code-int",
        "provenance-string", "provenance-missing", "console-service-int", "console-no-role"])
def test_malformed_requests_are_answered_and_the_kernel_still_works(comm, kernel, data):
    comm.open()
    reply = comm.request(data)
    assert reply["ok"] is False, reply
    assert isinstance(reply["error"], str) and reply["error"] and "\n" not in reply["error"]
    assert "Traceback" not in reply["error"]
    assert reply["id"] == (data.get("id") if isinstance(data, dict) else None)
    assert kernel.value(NO_ROLE_INSTALLED) == "none"
    assert comm.ask("role")["ok"] is True
    assert kernel.value("6 * 7") == "42"


def test_an_sso_sign_in_over_the_comm_pushes_its_link_and_code_then_its_end(comm, kernel, local_aws, home):
    from tests.support.sso import pending_code, sso_secrets

    local_aws.sso("POST", "reset")
    comm.open()
    request_id = uuid.uuid4().hex
    comm.send({"id": request_id, "request": "assume", "profile": "datascientist"})
    login = comm.wait(lambda d: d.get("event") == "sso-login" and d.get("login") is not None)["login"]
    code = pending_code(local_aws)
    assert login["profile"] == "datascientist" and login["user_code"] == code
    assert f"user_code={code}" in login["verification_uri_complete"] and login["expires_at"].endswith("Z")
    assert local_aws.sso("POST", "approve", {"user_code": code})["done"]
    comm.wait(lambda d: d.get("event") == "sso-login" and d.get("login") is None, 120)
    reply = comm.wait(lambda d: "ok" in d and d.get("id") == request_id, 120)
    assert reply["ok"] is True and reply["role"]["profile"] == "datascientist", reply
    assert_no_leak(secrets_in_play(local_aws, home) | sso_secrets(home), comm.seen, "the comm messages")
    assert_no_state_key(comm.seen)


def test_the_role_push_says_how_many_dask_workers_share_the_role(comm, kernel):
    comm.open()
    comm.run(
        "from distributed import Client, LocalCluster\n"
        "_cluster = LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None)\n"
        "_client = Client(_cluster)\n"
        "%awsrole analyst"
    ).ok()
    pushes = comm.pushes(comm.run("import jupyter_awsrole\n_share = jupyter_awsrole.share_with(_client)").ok())
    shared = [p for p in pushes if p.get("sharing") == {"clusters": 1, "workers": 2}]
    assert shared and shared[-1]["role"]["profile"] == "analyst", pushes
    picker = comm.run("print(jupyter_awsrole.picker().status.value)").ok()
    assert "shared with 2 Dask workers" in picker.stdout
    pushes = comm.pushes(comm.run("_share.stop()").ok())
    assert pushes and "sharing" not in pushes[-1] and pushes[-1]["role"]["profile"] == "analyst", pushes
    comm.run("_client.close(); _cluster.close()").ok()


def reply_record(kernel: Kernel, code: str) -> dict | None:
    """The provenance record of one cell's execute_reply (metadata `jupyter_awsrole`), or None."""
    reply = kernel.kc.execute_interactive(code, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["metadata"].get(TARGET)


def test_provenance_is_turned_off_and_on_over_the_comm(comm, kernel, local_aws, home):
    comm.open()
    comm.run("%awsrole analyst").ok()
    assert reply_record(kernel, "1 + 1") == {
        "profile": "analyst",
        "role_arn": "arn:aws:iam::123456789012:role/analystrole",
        "account": "123456789012",
    }
    off = comm.ask("provenance", on=False)
    assert off == {"id": off["id"], "ok": True}
    assert reply_record(kernel, "1 + 1") is None
    assert comm.ask("provenance", on=True)["ok"] is True
    assert reply_record(kernel, "1 + 1")["profile"] == "analyst"
    refused = comm.ask("provenance", on="off")
    assert refused["ok"] is False and "\n" not in refused["error"]


def test_the_provenance_choice_and_a_console_link_are_pushed_to_the_frontend(comm):
    comm.open()
    told = comm.run("from jupyter_awsrole import comm as _c\nprint(_c.tell_provenance(False))").ok()
    assert told.stdout.strip() == "True"
    assert comm.pushes(told, "provenance") == [{"event": "provenance", "on": False}]
    link = "https://signin.example.invalid/federation?Action=login&SigninToken=t"
    offered = comm.run(
        "import types\n"
        f"print(_c.open_console(types.SimpleNamespace(url={link!r}, profile='analyst', "
        "expires_at='2030-01-01T12:00:00Z')))"
    ).ok()
    assert offered.stdout.strip() == "True"
    assert comm.pushes(offered, "console") == [
        {"event": "console", "url": link, "profile": "analyst", "expires_at": "2030-01-01T12:00:00Z"}
    ]
    assert_no_state_key(comm.seen)


def test_the_console_request_without_a_role_is_refused_in_one_line(comm):
    comm.open()
    refused = comm.ask("console")
    assert refused["ok"] is False and refused["error"] and "\n" not in refused["error"]
    assert "console_url" not in refused


def test_a_paged_list_answers_one_page_and_the_total(comm):
    comm.open()
    everything = comm.ask("list")["profiles"]
    assert "total" not in comm.ask("list")
    page = comm.ask("list", filter="", offset=0, limit=2)
    assert page["ok"] is True and page["total"] == len(everything)
    assert [p["name"] for p in page["profiles"]] == [p["name"] for p in everything[:2]]
    rest = comm.ask("list", filter="", offset=2, limit=1000)
    assert [p["name"] for p in rest["profiles"]] == [p["name"] for p in everything[2:]]
    admins = comm.ask("list", filter="ADMIN", limit=200)
    assert admins["total"] == len(admins["profiles"]) >= 1
    assert all("admin" in p["name"].lower() for p in admins["profiles"])
    for bad in ({"offset": -1}, {"limit": "9"}, {"filter": 3}, {"offset": True}):
        refused = comm.ask("list", **bad)
        assert refused["ok"] is False and "\n" not in refused["error"], bad
