"""Headless runs: notebooks executed by nbclient itself (what nbconvert --execute, jupyter execute, papermill use)."""

from __future__ import annotations

import json
from datetime import datetime

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.support.cells import WHOAMI
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

CODE_BOUND_SECONDS = 10  # no prompt waits: a code nobody can type fails as fast as a plain cell


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def execute(nb: nbformat.NotebookNode, kernel_env: dict, folder, allow_errors: bool = False) -> nbformat.NotebookNode:
    """Run `nb` as `jupyter nbconvert --execute` does, in a kernel pointed at the local AWS."""
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=allow_errors, resources={"metadata": {"path": str(folder)}}
    )
    return client.execute(env=kernel_env, cwd=str(folder))


def text_of(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.extend(str(v) for v in output.get("data", {}).values())
        if output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "\n".join(parts)


def errors_of(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for o in cell.outputs if o.output_type == "error"]


def seconds(cell: nbformat.NotebookNode) -> float:
    """How long the kernel took over one cell, from nbclient's own timing metadata."""
    timing = cell.metadata["execution"]
    start, end = (
        datetime.fromisoformat(timing[k].replace("Z", "+00:00")) for k in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()


def test_a_notebook_that_loads_the_extension_runs_to_the_end(kernel_env, tmp_path, local_aws, home):
    nb = execute(
        notebook(
            "%load_ext jupyter_awsrole",
            "%awsrole analyst",
            WHOAMI,
            "%awsrole",
            "%awsrole --picker",
            "%awsrole --unset",
            "%awsrole --unset",
            "print('the end')",
        ),
        kernel_env,
        tmp_path,
    )
    cells = nb.cells
    assert all(not errors_of(cell) for cell in cells), [text_of(c) for c in cells if errors_of(c)]
    assert "Now analystrole in account 123456789012" in text_of(cells[1])
    assert "assumed-role/analystrole/" in text_of(cells[2])
    assert "analystrole" in text_of(cells[3])
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cells[4].outputs)
    assert "Back to the environment" in text_of(cells[5])
    assert "nothing to undo" in text_of(cells[6])
    assert "the end" in text_of(cells[7])

    widgets = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(w["model_name"] == "PasswordModel" for w in widgets.values()), "the picker's state was saved"
    assert_no_leak(secrets_in_play(local_aws, home), nbformat.writes(nb), "the executed notebook")


def test_a_role_that_needs_a_code_fails_at_once_saying_how_to_give_it(kernel_env, tmp_path, local_aws):
    nb = notebook("%load_ext jupyter_awsrole", "%awsrole marketingadmin", "print('not reached')")
    with pytest.raises(CellExecutionError) as failed:
        execute(nb, kernel_env, tmp_path)
    assert failed.value.ename == "UsageError"
    told = [line for line in text_of(nb.cells[1]).splitlines() if line.strip()]
    assert len(told) == 1 and "--mfa-token" in told[0] and "mfa=" in told[0], told
    assert local_aws.mfa_serial in told[0]
    assert seconds(nb.cells[1]) < CODE_BOUND_SECONDS, f"waited {seconds(nb.cells[1]):.1f} s for a code"
    assert nb.cells[2].outputs == []


def test_the_python_api_without_a_code_fails_at_once_and_changes_nothing(kernel_env, tmp_path, local_aws):
    nb = execute(
        notebook(
            "import jupyter_awsrole\njupyter_awsrole.assume('marketingadmin')",
            "import os; names = ('AWS_SESSION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI')\n"
            "print('a role' if any(n in os.environ for n in names) else 'no role')",
        ),
        kernel_env,
        tmp_path,
        allow_errors=True,
    )
    (error,) = errors_of(nb.cells[0])
    assert "\n" not in error.evalue.strip() and "mfa=" in error.evalue, error.evalue
    assert seconds(nb.cells[0]) < CODE_BOUND_SECONDS, f"waited {seconds(nb.cells[0]):.1f} s for a code"
    assert "no role" in text_of(nb.cells[1])


def test_a_code_given_on_the_line_works_headless(kernel_env, tmp_path, local_aws):
    code = local_aws.mfa_code()
    nb = execute(
        notebook(
            "%load_ext jupyter_awsrole",
            f"%awsrole marketingadmin --mfa-token {code}",
            WHOAMI,
            "print(In[2])",
        ),
        kernel_env,
        tmp_path,
    )
    assert "assumed-role/marketingadminrole/" in text_of(nb.cells[2])
    assert_no_leak({code}, text_of(nb.cells[3]), "In[] of a headless run")
    assert "--mfa-token ******" in text_of(nb.cells[3])
    assert json.dumps(nb.metadata.get("widgets", {})) == "{}"


def test_a_remembered_profile_is_ignored_by_headless_runs(kernel_env, tmp_path):
    nb = notebook("%load_ext jupyter_awsrole\n%awsrole", WHOAMI)
    nb.metadata["jupyter_awsrole"] = {"profile": "marketingadmin"}  # as the lab extension stores it
    ran = execute(nb, kernel_env, tmp_path)
    assert "No role assumed" in text_of(ran.cells[0])
    assert "assumed-role" not in text_of(ran.cells[1])
    assert ran.metadata["jupyter_awsrole"] == {"profile": "marketingadmin"}  # left as it was
