"""Which role ran each cell, end to end: execute_reply metadata of a real kernel, and the cells of headless runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_awsrole.provenance import KEY, nbclient_hook
from tests.notebooks.test_headless import notebook, text_of
from tests.support.cells import WHOAMI
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

ACCOUNT = "123456789012"
MARKETING = {
    "profile": "marketingadmin",
    "role_arn": f"arn:aws:iam::{ACCOUNT}:role/marketingadminrole",
    "account": ACCOUNT,
}
ANALYST = {"profile": "analyst", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/analystrole", "account": ACCOUNT}
EXPIRY = "print(__import__('jupyter_awsrole').current().public()['expiration'])"


class Replies:
    """Every execute_reply a kernel sends to the test's client (Kernel.run keeps only what a user would see)."""

    def __init__(self, kernel: Kernel) -> None:
        self.all: list[dict] = []
        execute = kernel.kc.execute_interactive

        def keep(*args, **kwargs):
            reply = execute(*args, **kwargs)
            self.all.append(reply)
            return reply

        kernel.kc.execute_interactive = keep  # type: ignore[method-assign]

    def last(self) -> dict | None:
        """What the last cell's reply says of the role that ran it."""
        return self.all[-1]["metadata"].get(KEY)


@pytest.fixture
def replies(kernel) -> Replies:
    return Replies(kernel)


def test_each_reply_names_the_role_its_cell_ran_as(kernel, replies, local_aws, home):
    kernel.run("%load_ext jupyter_awsrole").ok()
    assert replies.last() is None
    kernel.run("print('no role yet')").ok()
    assert replies.last() is None
    kernel.run("%awsrole marketingadmin", answers=lambda prompt: local_aws.mfa_code()).ok()
    assert replies.last() == MARKETING
    assert "assumed-role/marketingadminrole/" in kernel.run(WHOAMI).ok().stdout
    assert replies.last() == MARKETING
    assert replies.all[-1]["metadata"]["status"] == "ok"  # ipykernel's own fields stay
    assert "assumed-role/analystrole/" in kernel.run(f"%%awsrole analyst\n{WHOAMI}").ok().stdout
    assert replies.last() == ANALYST
    kernel.run("print('back')").ok()
    assert replies.last() == MARKETING
    assert kernel.run("raise ValueError('a failing cell')").error is not None
    assert replies.last() == MARKETING
    expiry = kernel.run(EXPIRY).ok().stdout.strip()
    kernel.run("%awsrole --unset").ok()
    assert replies.last() is None
    kernel.run("print('after unset')").ok()
    assert replies.last() is None

    shown = json.dumps([reply["metadata"] for reply in replies.all])
    assert_no_leak(secrets_in_play(local_aws, home), shown, "execute_reply metadata")
    assert expiry and expiry not in shown and "expir" not in shown


def test_provenance_off_keeps_replies_bare_until_on(kernel, replies, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    kernel.run("%awsrole analyst").ok()
    assert replies.last() == ANALYST
    off = kernel.run("%awsrole --provenance off").ok()
    assert off.stdout.startswith("Provenance off:") and len(off.stdout.strip().splitlines()) == 1
    assert replies.last() is None
    kernel.run(WHOAMI).ok()
    assert replies.last() is None
    assert "Provenance is off" in kernel.run("%awsrole").ok().text
    kernel.run("%awsrole --provenance on").ok()
    assert replies.last() == ANALYST
    bad = kernel.run("%awsrole --provenance sometimes")
    assert bad.error is not None and "--provenance" in bad.error["evalue"] and "\n" not in bad.error["evalue"]


def test_unloading_the_extension_stops_the_records(kernel, replies):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    assert replies.last() == ANALYST
    kernel.run("%unload_ext jupyter_awsrole").ok()
    assert replies.last() is None
    kernel.run("%load_ext jupyter_awsrole").ok()
    assert replies.last() == ANALYST


# -- headless: nbclient keeps the record in each cell ------------------------------------------------------------


def test_a_headless_run_keeps_each_cells_role_in_the_saved_notebook(kernel_env, tmp_path, local_aws, home):
    nb = notebook(
        "%load_ext jupyter_awsrole",
        "print('before the switch')",
        f"%awsrole marketingadmin --mfa-token {local_aws.mfa_code()}",
        WHOAMI,
        f"%%awsrole analyst\n{WHOAMI}",
        "print('back to marketing')",
        "%awsrole --provenance off",
        WHOAMI,
        "%awsrole --provenance on",
        "%awsrole --unset",
    )
    nb.cells[1].metadata[KEY] = ANALYST  # left by an earlier run: this run has no role there
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        on_cell_executed=nbclient_hook,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=kernel_env, cwd=str(tmp_path))
    saved = tmp_path / "ran.ipynb"
    nbformat.write(nb, saved)
    cells = nbformat.read(saved, as_version=4).cells

    assert "assumed-role/analystrole/" in text_of(cells[4])
    assert "no notebook front end was told" in text_of(cells[6])
    expected = [None, None, MARKETING, MARKETING, ANALYST, MARKETING, None, None, MARKETING, None]
    assert [cell.metadata.get(KEY) for cell in cells] == expected
    assert_no_leak(secrets_in_play(local_aws, home), saved.read_text(), "the saved notebook")


def test_nbconvert_takes_the_hook_from_a_config_file(kernel_env, tmp_path):
    nb = notebook("%load_ext jupyter_awsrole\n%awsrole analyst", "print('done')")
    nb.cells[1].metadata[KEY] = MARKETING  # stale: replaced by this run's role
    source = tmp_path / "in.ipynb"
    nbformat.write(nb, source)
    config = tmp_path / "provenance_config.py"
    config.write_text(
        "from jupyter_awsrole.provenance import nbclient_hook\nc.NotebookClient.on_cell_executed = nbclient_hook\n"
    )
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook", "--output", "out.ipynb"]
    done = subprocess.run(
        [*command, "--config", str(config), str(source)],
        env=kernel_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    cells = nbformat.read(Path(tmp_path, "out.ipynb"), as_version=4).cells
    assert [cell.metadata.get(KEY) for cell in cells] == [ANALYST, ANALYST]
