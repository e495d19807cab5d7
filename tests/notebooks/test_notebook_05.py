"""05-sso-and-more, executed cell by cell in a real kernel against the local AWS and its SSO stand-in; the sign-in
is approved through the stand-in while its cell waits, as a user clicking Allow."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from jupyter_awsrole.demo import DEMO_DIR_VARIABLE
from tests.support.kernel import Kernel, Run
from tests.support.leaks import assert_no_leak, secrets_in_play
from tests.support.sso import Waiting, pending_code, sso_secrets

pytestmark = pytest.mark.kernel

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05-sso-and-more.ipynb"


@pytest.fixture
def demo_kernel(kernel_env, local_aws, tmp_path):
    local_aws.sso("POST", "reset")
    k = Kernel({**kernel_env, DEMO_DIR_VARIABLE: str(local_aws.state_dir)}, cwd=str(tmp_path))
    yield k
    k.stop()


def test_sso_and_more(demo_kernel, local_aws, home):
    runs: dict[str, Run] = {}
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        if cell.source.strip() == "%awsrole datascientist":
            waiting = Waiting(demo_kernel, cell.source)
            local_aws.sso("POST", "approve", {"user_code": pending_code(local_aws)})
            run = waiting.result()
        else:
            run = demo_kernel.run(cell.source)
        assert run.error is None and not run.prompts, (cell.source, run.text)
        runs[cell.source.strip()] = run
    listing = runs["%awsrole --list"].plain
    assert "SSO account 123456789012, permission set DataScientist" in listing
    signed_in = runs["%awsrole datascientist"]
    assert "Now AWSReservedSSO_DataScientist" in signed_in.stdout and "Signed in to" in signed_in.plain
    whoami = next(run for source, run in runs.items() if source.startswith("import boto3"))
    assert "assumed-role/AWSReservedSSO_DataScientist/ada@example.com" in whoami.plain
    assert "session_id" in next(run for source, run in runs.items() if source.startswith("import pandas")).plain
    cli = next(run for source, run in runs.items() if source.startswith("!aws"))
    assert "AWSReservedSSO_DataScientist" in cli.stdout
    assert "user/user1" in runs["%awsrole user1\nwhoami()"].plain
    assert "assumed-role/analystrole/" in next(run for s, run in runs.items() if s.startswith("%awsrole arn:")).plain
    assert "assumed-role/marketingadminrole/" in next(run for s, run in runs.items() if "mfa_process" in s).plain
    secrets = secrets_in_play(local_aws, home) | sso_secrets(home)
    for source, run in runs.items():
        assert_no_leak(secrets, run.text, f"the output of {source!r}")
