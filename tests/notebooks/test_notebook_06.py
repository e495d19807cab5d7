"""06-beyond-the-notebook, executed cell by cell in a real kernel against the local AWS, then headless by nbclient;
its export writes into a copy of the sandbox's AWS config, so the session's local AWS keeps its own unchanged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_awsrole.magics import NO_CONSOLE_FRONT_END
from jupyter_awsrole.provenance import nbclient_hook
from tests.notebooks.test_notebooks import arn_of, assert_no_secrets, execute, html_of, load
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

NAME = "06-beyond-the-notebook.ipynb"
ROLE = "arn:aws:iam::123456789012:role/analystrole"
LINK_MARKS = ("SigninToken", "Action=login", "/federation?")  # parts of a console sign-in link


@pytest.fixture
def config(local_aws, tmp_path) -> Path:
    """The AWS config the notebook's export writes to: a copy of the sandbox's, in this test's folder."""
    copy = tmp_path / "aws-config"
    shutil.copy(local_aws.config_file, copy)
    return copy


@pytest.fixture
def env(kernel_env, config) -> dict[str, str]:
    return {**kernel_env, "AWS_CONFIG_FILE": str(config)}


@pytest.fixture
def work(tmp_path) -> Path:
    folder = tmp_path / "work"  # the notebook writes deny-get.json where it runs
    folder.mkdir()
    return folder


@pytest.fixture
def kernel06(env, work):
    k = Kernel(env, cwd=str(work))
    yield k
    k.stop()


def test_beyond_the_notebook(kernel06, local_aws, home, config, work):
    sandbox_before = local_aws.config_file.read_text()
    ran = execute(kernel06, NAME, local_aws)
    assert ran.prompts == [], "analyst needs no MFA code"

    narrowed = ran.find("%awsrole analyst --policy deny-get.json").stdout
    assert "Now analystrole" in narrowed and "session policy: 1 inline" in narrowed, narrowed
    assert '"Deny"' in (work / "deny-get.json").read_text()
    denied = ran.starting("import pandas as pd").stdout
    assert re.fullmatch(r"Denied: \S.{0,118}\n", denied), denied
    plain = ran.find("%awsrole analyst").stdout
    assert "Now analystrole" in plain and "session policy" not in plain, plain
    table = html_of(ran.find('pd.read_csv("s3://analytics-data/sessions.csv").head()'))
    assert "<table" in table and ">session_id</th>" in table, "the plain session reads the file again"

    exported = ran.find("%awsrole --export analyst --yes").stdout
    assert f"Wrote [profile analyst-jupyter] to {config}" in exported, exported
    written = config.read_text()
    assert "[profile analyst-jupyter]" in written
    assert re.search(r"credential_process = \S+ credential-process analyst\n", written), written
    assert local_aws.config_file.read_text() == sandbox_before, "the session's sandbox config was not touched"
    assert not (home / ".aws" / "config").exists(), "nothing was written to ~/.aws/config"

    from_cli = ran.starting("!aws --profile analyst-jupyter").stdout.strip()
    from_boto3 = arn_of(ran.starting("import boto3"))
    in_kernel = kernel06.value('__import__("boto3").client("sts").get_caller_identity()["Arn"]')
    assert from_cli == from_boto3 == in_kernel, (from_cli, from_boto3, in_kernel)
    assert re.fullmatch(r"arn:aws:sts::123456789012:assumed-role/analystrole/[\w+=,.@-]+", from_cli), from_cli

    assert ran.find("%awsrole --provenance off").stdout.startswith("Provenance off: cells that run now record no role")
    assert "Provenance is off: cells record no role" in ran.find("%awsrole").stdout
    assert ran.find("%awsrole --provenance on").stdout.startswith(
        "Provenance on: cells that run now record the role they run as"
    )

    console = ran.find("%awsrole --console s3").stdout
    assert len(console.splitlines()) == 1, console
    for source, run in ran.cells:
        assert not any(mark in run.text for mark in LINK_MARKS), f"a console link reached the output of {source!r}"
    assert_no_secrets(kernel06, local_aws, home, minimum=6)


def test_it_runs_headless_and_keeps_each_cells_role(env, work, local_aws, home):
    nb = load(NAME)
    folder = {"metadata": {"path": str(work)}}
    headless = NotebookClient(nb, timeout=120, kernel_name="python3", on_cell_executed=nbclient_hook, resources=folder)
    headless.execute(env=env, cwd=str(work))  # as README's "Which role ran each cell" says to run it
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(o.output_type != "error" for cell in code for o in cell.outputs)
    ran_as = {cell.source.strip(): cell.metadata.get("jupyter_awsrole", {}).get("role_arn") for cell in code}
    assert ran_as["%load_ext jupyter_awsrole"] is None, "no role yet, no record"
    assert ran_as["%awsrole analyst --policy deny-get.json"] == ROLE
    assert ran_as["%awsrole --export analyst --yes"] == ROLE
    assert ran_as["%awsrole --provenance off"] is None and ran_as["%awsrole"] is None, "off: no record"
    assert ran_as["%awsrole --provenance on"] == ran_as["%awsrole --console s3"] == ROLE
    saved = nbformat.writes(nb)
    assert not any(mark in saved for mark in LINK_MARKS), "a console link reached the notebook file"
    assert_no_leak(secrets_in_play(local_aws, home), saved, "the executed notebook")


def test_headless_the_console_cell_says_no_jupyterlab_listens(kernel06, local_aws):
    for source in ("%load_ext jupyter_awsrole", "%awsrole analyst"):
        kernel06.run(source).ok()
    assert kernel06.run("%awsrole --console s3").ok().stdout.strip() == NO_CONSOLE_FRONT_END
