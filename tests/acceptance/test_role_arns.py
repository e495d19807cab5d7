"""Roles named by ARN, with no profile: on top of the active role or of a named source, with the flags' options."""

from __future__ import annotations

import pytest

from jupyter_awsrole.localaws.account import REPORTING_EXTERNAL_ID
from tests.support.cells import WHOAMI

pytestmark = pytest.mark.kernel

ANALYST = "arn:aws:iam::123456789012:role/analystrole"
REPORTING = "arn:aws:iam::123456789012:role/reportingrole"


def test_an_arn_is_assumed_on_top_of_the_active_role_and_renewed_alike(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole user1").ok()
    said = kernel.run(f"%awsrole {ANALYST}").ok().stdout
    assert f"Now analystrole in account 123456789012 (profile {ANALYST}" in said
    assert "assumed-role/analystrole/" in kernel.run(WHOAMI).ok().stdout
    local_aws.reset_stats()
    renewed = kernel.run("import jupyter_awsrole as j; print(j.refresh().profile)").ok().stdout.strip()
    assert renewed == ANALYST and local_aws.stats()["sts"] == {"AssumeRole": 1}  # user1's keys, one hop


def test_an_arn_from_a_named_source_with_external_id_and_duration(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    code = lambda prompt: local_aws.mfa_code()  # noqa: E731
    refused = kernel.run(f"%awsrole {REPORTING} --source-profile marketingadmin", answers=code)
    assert refused.error is not None and "Access denied" in refused.error["evalue"]
    assert kernel.value("__import__('jupyter_awsrole').current()") == "None"
    line = f"%awsrole {REPORTING} --source-profile marketingadmin --external-id {REPORTING_EXTERNAL_ID} --duration 900"
    said = kernel.run(line, answers=code).ok().stdout
    assert "Now reportingrole" in said and "in 14 min" in said
    api = kernel.run(f"import jupyter_awsrole as j; print(j.assume({ANALYST!r}, source_profile='user1').role_name)")
    assert api.ok().stdout.strip() == "analystrole"


@pytest.mark.parametrize(
    "line, words",
    [
        (f"%awsrole {ANALYST} --source-profile nobody", "Unknown source profile 'nobody'"),
        ("%awsrole analyst --source-profile user1", "--source-profile goes with a role ARN"),
    ],
)
def test_a_source_that_cannot_be_is_one_line(kernel, local_aws, line, words):
    kernel.run("%load_ext jupyter_awsrole").ok()
    local_aws.reset_stats()
    run = kernel.run(line)
    assert run.error is not None and words in run.error["evalue"], run.text
    assert local_aws.stats()["sts_total"] == 0
