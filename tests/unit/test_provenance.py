"""provenance: the record, which cell it goes to (real IPython cells, a stand-in kernel), the nbclient hook, the magic."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyter_awsrole import comm, provenance
from jupyter_awsrole.credentials import Credentials, RoleState
from jupyter_awsrole.magics import AwsRoleMagics, contradiction, parse, provenance_switched

SECRETS = ("ASIAPROVENANCEKEY1", "provenance/secret+key", "PROVENANCETOKEN//token==")
EXPIRY = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)


def role(name: str) -> RoleState:
    creds = Credentials(*SECRETS, expiration=EXPIRY)
    arn = f"arn:aws:iam::210987654321:role/{name}"
    return RoleState(name, arn, f"arn:aws:sts::210987654321:assumed-role/{name}/s", "210987654321", None, EXPIRY, creds)


class StandInKernel:
    """What ipykernel does around a cell: init metadata, run the cell in the shell, finish the metadata."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell

    def finish_metadata(self, parent: dict, metadata: dict, reply_content: dict) -> dict:
        metadata["status"] = reply_content["status"]
        return metadata

    def execute(self, code: str, silent: bool = False, msg_type: str = "execute_request") -> dict:
        """The execute_reply's metadata for one cell."""
        result = self.shell.run_cell(code, store_history=not silent, silent=silent)
        parent = {"header": {"msg_type": msg_type}, "content": {"code": code, "silent": silent}}
        return self.finish_metadata(parent, {}, {"status": "ok" if result.success else "error"})


@pytest.fixture
def manager() -> Any:
    return SimpleNamespace(active=None)  # the tracker reads only `active`


@pytest.fixture
def kernel(manager):
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # never the real ~/.ipython
    shell = InteractiveShell.instance(config=config)
    shell.kernel = StandInKernel(shell)
    shell.user_ns["manager"], shell.user_ns["role"] = manager, role
    provenance.install(shell, manager)
    yield shell.kernel
    provenance.uninstall(shell)
    provenance.set_enabled(True)
    InteractiveShell.clear_instance()


def recorded(metadata: dict) -> str | None:
    found = metadata.get(provenance.KEY)
    return found["profile"] if found else None


def test_the_record_names_the_role_and_holds_no_secret_and_no_expiry():
    kept = provenance.record(role("analyst"))
    assert kept == {
        "profile": "analyst",
        "role_arn": "arn:aws:iam::210987654321:role/analyst",
        "account": "210987654321",
    }
    text = json.dumps(kept)
    assert not [s for s in SECRETS if s in text]
    assert "2031" not in text and "expir" not in text


def test_a_cell_records_the_role_active_when_it_finishes(kernel, manager):
    assert provenance.KEY not in kernel.execute("x = 1")
    assert recorded(kernel.execute("manager.active = role('analyst')")) == "analyst"
    assert recorded(kernel.execute("x = 2")) == "analyst"
    assert provenance.KEY not in kernel.execute("manager.active = None")
    assert recorded(kernel.execute("manager.active = role('ops')\nraise ValueError('boom')")) == "ops"


def test_a_nested_cell_under_a_scoped_role_names_that_role(kernel, manager):
    manager.active = role("analyst")
    scoped = (
        "before = manager.active\nmanager.active = role('scoped')\nget_ipython().run_cell('y = 1')\nmanager.active = {}"
    )
    assert recorded(kernel.execute(scoped.format("before"))) == "scoped"  # as %%awsrole runs its body
    assert recorded(kernel.execute(scoped.format("None"))) == "scoped"
    assert provenance.KEY not in kernel.execute("z = 1")  # the scope's role is not left behind for the next cell
    manager.active = role("analyst")
    assert recorded(kernel.execute("z = 2")) == "analyst"


def test_a_cell_run_without_a_reply_leaves_nothing_for_the_next(kernel, manager):
    kernel.shell.run_cell("manager.active = role('startup')")  # as the kernel runs its startup lines
    assert provenance.KEY not in kernel.execute("manager.active = None")


def test_off_records_nothing_until_on(kernel, manager):
    manager.active = role("analyst")
    provenance.set_enabled(False)
    assert not provenance.enabled()
    assert provenance.KEY not in kernel.execute("x = 1")
    provenance.set_enabled(True)
    assert recorded(kernel.execute("x = 1")) == "analyst"


def test_replies_of_cells_that_did_not_run_or_ran_silently_carry_nothing(kernel, manager):
    manager.active = role("analyst")
    aborted = {"header": {"msg_type": "execute_request"}, "content": {}}
    assert provenance.KEY not in kernel.finish_metadata(aborted, {}, {"status": "aborted"})
    assert provenance.KEY not in kernel.execute("x = 1", silent=True)
    assert provenance.KEY not in kernel.execute("x = 1", msg_type="apply_request")


def test_a_failure_while_recording_never_stops_the_reply(kernel, manager):
    class Broken:
        @property
        def active(self) -> RoleState:
            raise RuntimeError("no")

    provenance.install(kernel.shell, Broken())  # type: ignore[arg-type]
    assert kernel.execute("x = 1") == {"status": "ok"}


def test_unloading_restores_the_kernel_and_a_reload_records_again(kernel, manager):
    shell = kernel.shell
    manager.active = role("analyst")
    provenance.uninstall(shell)
    assert "finish_metadata" not in vars(kernel)
    assert provenance.KEY not in kernel.execute("x = 1")
    provenance.install(shell, manager)
    provenance.install(shell, manager)  # a second load wraps once
    assert kernel.finish_metadata.__wrapped__.__self__ is kernel
    assert recorded(kernel.execute("x = 1")) == "analyst"


def test_an_earlier_wrapper_of_the_kernel_is_put_back(kernel, manager):
    shell = kernel.shell
    provenance.uninstall(shell)
    earlier = kernel.finish_metadata
    kernel.finish_metadata = lambda parent, metadata, reply: earlier(parent, metadata, reply)
    mine = kernel.finish_metadata
    provenance.install(shell, manager)
    provenance.uninstall(shell)
    assert kernel.finish_metadata is mine


def test_outside_a_kernel_nothing_is_installed(manager):
    shell = SimpleNamespace(kernel=None)
    assert provenance.install(shell, manager) is None


# -- nbclient ------------------------------------------------------------------------------------------------------


def cell(metadata: dict | None = None) -> Any:
    return SimpleNamespace(metadata=dict(metadata or {}))


def test_the_nbclient_hook_copies_the_record_and_drops_a_stale_one():
    kept = provenance.record(role("analyst"))
    fresh = cell()
    provenance.nbclient_hook(cell=fresh, cell_index=0, execute_reply={"metadata": {"jupyter_awsrole": kept}})
    assert fresh.metadata == {"jupyter_awsrole": kept}
    stale = cell({"jupyter_awsrole": kept, "tags": ["x"]})
    provenance.nbclient_hook(cell=stale, cell_index=1, execute_reply={"metadata": {"status": "ok"}})
    assert stale.metadata == {"tags": ["x"]}
    provenance.nbclient_hook(cell=stale, cell_index=1, execute_reply=None)
    assert stale.metadata == {"tags": ["x"]}


def test_the_nbclient_hook_keeps_only_the_record_fields():
    odd = {**provenance.record(role("analyst")), "SessionToken": SECRETS[2], "expiration": "2031"}
    kept = cell()
    provenance.nbclient_hook(cell=kept, cell_index=0, execute_reply={"metadata": {"jupyter_awsrole": odd}})
    assert sorted(kept.metadata["jupyter_awsrole"]) == ["account", "profile", "role_arn"]
    junk = cell()
    provenance.nbclient_hook(cell=junk, cell_index=0, execute_reply={"metadata": {"jupyter_awsrole": "analyst"}})
    assert junk.metadata == {}


# -- the magic -----------------------------------------------------------------------------------------------------


def read(line: str) -> Any:
    return parse(AwsRoleMagics.awsrole.parser, line)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "line, words",
    [
        ("--provenance off analyst", ["--provenance takes no profile"]),
        ("--provenance off --unset", ["--unset and --provenance"]),
        ("--provenance off --region eu-west-1", ["--provenance takes no --region"]),
    ],
)
def test_provenance_is_an_action_of_its_own(line, words):
    problem = contradiction(read(line)) or ""
    for word in words:
        assert word in problem, problem


@pytest.mark.parametrize("line", ["--provenance maybe", "--provenance"])
def test_a_bad_provenance_value_is_one_line(line):
    with pytest.raises(UsageError) as told:
        read(line)
    assert "--provenance" in str(told.value) and "\n" not in str(told.value)


def test_either_case_is_read():
    assert read("--provenance OFF").provenance == "off"
    assert contradiction(read("--provenance on")) is None


@pytest.fixture
def lab(monkeypatch):
    """A stand-in for the lab's comm.tell_provenance: what it was told, and whether a front end listened."""
    told: list[bool] = []
    listening = SimpleNamespace(value=True)

    def tell_provenance(on: bool) -> bool:
        told.append(on)
        return listening.value

    monkeypatch.setattr(comm, "tell_provenance", tell_provenance, raising=False)
    yield SimpleNamespace(told=told, listening=listening)
    provenance.set_enabled(True)


def test_the_magic_switches_the_kernel_and_tells_the_front_end(lab):
    said = provenance_switched(False)
    assert not provenance.enabled() and lab.told == [False]
    assert said.startswith("Provenance off:") and "notebook was told" in said and "\n" not in said
    lab.listening.value = False
    again = provenance_switched(False)
    assert "(as it was)" in again and "no notebook front end was told" in again
    assert provenance_switched(True).startswith("Provenance on:") and provenance.enabled()
    assert lab.told == [False, False, True]
