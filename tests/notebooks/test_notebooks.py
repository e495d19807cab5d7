"""The demo notebooks, executed cell by cell in a real kernel against the local AWS, and their outputs checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from tests.support.kernel import Kernel, Run
from tests.support.leaks import secrets_in_play

pytestmark = pytest.mark.kernel

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CAMPAIGN_COLUMNS = ["campaign_id", "date", "channel", "region", "impressions", "clicks", "spend", "conversions"]
CHANNELS = {"search", "social", "display", "email", "video"}
ALL_PROFILES = ["user1", "marketingadmin", "analyst", "reporting", "audit", "ci"]
TESTED = {
    "01-quickstart.ipynb",
    "02-role-picker.ipynb",
    "03-chains-and-sources.ipynb",
    "04-pandas-and-s3.ipynb",
    "05-sso-and-more.ipynb",  # tests/notebooks/test_notebook_05.py
    "06-beyond-the-notebook.ipynb",  # tests/notebooks/test_notebook_06.py
}


@dataclass
class Executed:
    """A notebook run: every code cell with what it showed, and every prompt the kernel raised."""

    cells: list[tuple[str, Run]] = field(default_factory=list)

    @property
    def prompts(self) -> list[tuple[str, bool]]:
        return [p for _, run in self.cells for p in run.prompts]

    def find(self, source: str) -> Run:
        """The run of the one code cell whose source is exactly `source` (stripped)."""
        matches = [run for src, run in self.cells if src.strip() == source]
        assert len(matches) == 1, f"expected one cell {source!r}, found {len(matches)}"
        return matches[0]

    def starting(self, prefix: str) -> Run:
        matches = [run for src, run in self.cells if src.lstrip().startswith(prefix)]
        assert len(matches) == 1, f"expected one cell starting {prefix!r}, found {len(matches)}"
        return matches[0]

    def all(self, source: str) -> list[Run]:
        return [run for src, run in self.cells if src.strip() == source]


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def execute(kernel: Kernel, name: str, local_aws) -> Executed:
    """Run the notebook's code cells in order, as a user would; every password box gets the current MFA code."""
    done = Executed()
    for index, cell in enumerate(load(name).cells):
        if cell.cell_type != "code" or "!jupyter-awsrole" in cell.source:
            continue  # markdown is read, not run; the MFA-code command is the user's, the test answers itself
        run = kernel.run(cell.source, answers=lambda prompt: local_aws.mfa_code())
        assert run.error is None, f"{name} cell {index} failed:\n{cell.source}\n---\n{run.text}"
        done.cells.append((cell.source, run))
    return done


def html_of(run: Run) -> str:
    return "".join(bundle.get("text/html", "") for bundle in run.outputs)


def arn_of(run: Run) -> str:
    """The ARN a `whoami`-style cell showed, as execute_result or printed."""
    found = re.findall(r"arn:aws:(?:sts|iam)::\d{12}:[\w+=,.@/-]+", run.plain + run.stdout)
    assert len(found) == 1, run.text
    return found[0]


def assert_no_secrets(kernel: Kernel, local_aws, home: Path, minimum: int) -> None:
    secrets = secrets_in_play(local_aws, home)
    assert len(secrets) >= minimum, "the scan found fewer secrets than this notebook must have created"
    for index, run in enumerate(kernel.runs):
        shown = json.dumps(run.messages, default=str)
        leaked = sum(secret in shown for secret in secrets)  # a count, so a failure never prints the secret
        assert leaked == 0, f"{leaked} secret(s) reached the outputs of execution {index}"


# -- the notebooks are committed clean, and each has a test ------------------------------------------------------


def test_every_notebook_is_committed_clean_and_has_a_test():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert names, "no notebooks found"
    for name in names:
        nb = load(name)
        nbformat.validate(nb)
        assert nb.nbformat == 4
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", name
        # As the kernel reports it, so JupyterLab does not mark a notebook modified the moment it opens.
        assert {"version", "codemirror_mode", "pygments_lexer"} <= set(nb.metadata.get("language_info", {})), name
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        if "mfa-code" in markdown:  # while the password box waits no cell can run: the code comes from a terminal
            assert "File > New > Terminal" in markdown, name
            assert "!jupyter-awsrole mfa-code" not in markdown and "new cell," not in markdown, name
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert cell.outputs == [], f"{name} cell {index} was committed with outputs"
                assert cell.execution_count is None, f"{name} cell {index} has an execution_count"
            assert "attachments" not in cell or not cell.attachments, f"{name} cell {index} has attachments"
    missing = set(names) - TESTED
    assert not missing, f"notebooks without a test in tests/notebooks: {sorted(missing)}"
    assert not TESTED - set(names), f"tests for notebooks that do not exist: {sorted(TESTED - set(names))}"


# -- 01: quickstart ------------------------------------------------------------------------------------------------


def test_quickstart(kernel, local_aws, home):
    nb = load("01-quickstart.ipynb")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "jupyter-awsrole mfa-code" in markdown, "the quickstart must say how to get the demo's MFA code"
    assert not any("jupyter-awsrole mfa-code" in c.source for c in nb.cells if c.cell_type == "code")
    assert "[profile marketingadmin]" in markdown and "mfa_serial" in markdown

    ran = execute(kernel, "01-quickstart.ipynb", local_aws)

    assert ran.prompts == [(f"MFA code for {local_aws.mfa_serial}: ", True)], "exactly one password box"
    assert "Now marketingadminrole in account 123456789012" in ran.find("%awsrole marketingadmin").stdout

    assert "assumed-role/marketingadminrole/" in arn_of(ran.starting("import boto3"))

    listing = ran.starting('s3 = boto3.client("s3")').stdout
    assert "campaigns.csv" in listing and "campaigns.parquet" in listing

    head = ran.starting("import pandas as pd")
    table = html_of(head)
    assert "<table" in table
    for column in CAMPAIGN_COLUMNS:
        assert f">{column}</th>" in table, column
    assert len(re.findall(r"<tr>\s*<th>\d+</th>", table)) == 5, "head() shows five rows"
    assert "NaN" not in table, "region 'NA' (North America) must not be read as missing"

    plot = ran.starting("spend = ")
    assert any("image/png" in bundle for bundle in plot.outputs), plot.text
    assert not plot.plain.startswith("<Axes"), "the plot cell should show the chart, not an Axes repr"

    status = ran.find("%awsrole")
    status_html = html_of(status)
    assert "arn:aws:iam::123456789012:role/marketingadminrole" in status_html
    assert "marketingadmin" in status.plain and "left" in status_html

    assert_no_secrets(kernel, local_aws, home, minimum=6)


# -- 03: chains and credential sources -----------------------------------------------------------------------------


def test_chains_and_sources(kernel, local_aws, home):
    ran = execute(kernel, "03-chains-and-sources.ipynb", local_aws)

    listing = ran.find("%awsrole --list").plain
    names = {line.split()[0].lstrip("*") for line in listing.splitlines()[1:] if line.strip()}
    assert set(ALL_PROFILES) <= names, listing
    assert "credential_source=Environment" in listing

    assert len(ran.prompts) == 1, f"one MFA code for the whole notebook, got {ran.prompts}"
    assert ran.find("%awsrole reporting").prompts == ran.prompts
    assert "Now reportingrole" in ran.find("%awsrole reporting").stdout

    assert "assumed-role/reportingrole/" in arn_of(ran.starting("import boto3"))
    whoami = ran.all("whoami()")
    assert len(whoami) == 4
    after_audit, after_ci, after_cell, after_unset = (arn_of(run) for run in whoami)
    assert "Now auditrole" in ran.find("%awsrole audit").stdout
    assert "assumed-role/auditrole/" in after_audit
    assert "Now envrole" in ran.find("%awsrole ci").stdout
    assert "assumed-role/envrole/" in after_ci

    inside = ran.starting("%%awsrole analyst").stdout
    assert "sessions.csv" in inside and "assumed-role/analystrole/" in inside
    assert "assumed-role/envrole/" in after_cell, "the cell magic must put the previous role back"

    assert "Back to the environment" in ran.find("%awsrole --unset").stdout
    assert after_unset == f"arn:aws:iam::{local_aws.account_id}:user/ci-bot", "after --unset: the env keys' user"

    assert_no_secrets(kernel, local_aws, home, minimum=6)


# -- 04: pandas and S3 ---------------------------------------------------------------------------------------------


def test_pandas_and_s3(kernel, local_aws, home):
    ran = execute(kernel, "04-pandas-and-s3.ipynb", local_aws)

    assert len(ran.prompts) == 1 and ran.prompts[0][1], ran.prompts
    assert ran.find("%awsrole marketingadmin").prompts == ran.prompts

    counts = [int(n) for n in re.findall(r"(\d+) rows", ran.starting("import pandas as pd").stdout)]
    assert len(counts) == 2 and counts[0] == counts[1] > 1000, counts

    report = html_of(ran.starting("report = "))
    for column in ("channel", "ctr", "cost_per_conversion"):
        assert f">{column}</th>" in report, column
    assert all(channel in report for channel in CHANNELS)

    back = ran.starting("back = ").stdout
    columns = re.search(r"columns: (.*)", back).group(1).split(", ")
    assert columns == ["channel", "impressions", "clicks", "spend", "conversions", "ctr", "cost_per_conversion"]
    assert re.search(r"rows: 5 \(Parquet\), 5 \(CSV\)", back), back

    assert "Now analystrole" in ran.find("%awsrole analyst").stdout
    assert ran.find("%awsrole analyst").prompts == []
    assert "Denied as analyst: PermissionError" in ran.starting("try:").stdout
    assert "<table" in html_of(ran.starting('pd.read_csv("s3://analytics-data')), "analyst reads its own bucket"
    copied = ran.starting("import jupyter_awsrole").stdout
    assert re.search(r"copied \d{3,} rows as marketingadmin; the kernel is still analyst", copied), copied

    assert_no_secrets(kernel, local_aws, home, minimum=6)


def test_role_picker(kernel, local_aws, home):
    done = execute(kernel, "02-role-picker.ipynb", local_aws)
    assert done.prompts == []  # the picker asks in its own field, never on stdin
    picker = done.starting("%load_ext jupyter_awsrole")
    views = [b for b in picker.outputs if "application/vnd.jupyter.widget-view+json" in b]
    assert len(views) == 1, picker.text
    assert "assumed-role/analystrole/" in arn_of(done.starting("import boto3"))
    following = (
        kernel.run(
            "import ipywidgets\n"
            "print([w.value for w in ipywidgets.Widget.widgets.values()"
            " if isinstance(w, ipywidgets.HTML) and 'jupyter-awsrole-status' in w.value][0])"
        )
        .ok()
        .stdout
    )
    assert "analystrole" in following and "123456789012" in following
    second = done.find("%awsrole --picker")
    assert any("application/vnd.jupyter.widget-view+json" in b for b in second.outputs)
    assert_no_secrets(kernel, local_aws, home, minimum=2)
