"""Issue 17, part 3: narrower sessions (session policies, tags, source identity) in a real kernel.

The seeded `analyst` profile (no MFA) reads analytics-data; the local AWS grants a narrowed session only what
both the role and its session policies allow (localaws/moto_patches.py), as AWS does.
"""

from __future__ import annotations

import json
import re

import pytest

from jupyter_awsrole.loopback import DIRECT

pytestmark = pytest.mark.kernel

MODES = ["environment", "endpoint"]
DENY_GET = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
    ],
}
DENIED = re.compile(r"Access.?Denied|Forbidden|PermissionError", re.IGNORECASE)
READ = r"""
import pandas as pd
try:
    print("ROWS", len(pd.read_csv("s3://analytics-data/sessions.csv")))
except Exception as exc:
    print("FAILED", type(exc).__name__, str(exc)[:200])
"""


def _read(kernel) -> str:
    return kernel.run(READ, timeout=180).ok().stdout.strip()


def _assume_roles(local_aws) -> int:
    return local_aws.stats()["sts"].get("AssumeRole", 0)


@pytest.fixture
def deny_get(tmp_path):
    (tmp_path / "deny-get.json").write_text(json.dumps(DENY_GET, indent=2))  # the kernel's working folder
    return "deny-get.json"


@pytest.mark.parametrize("mode", MODES)
def test_an_inline_policy_denying_get_object_makes_the_pandas_read_fail(kernel, local_aws, deny_get, mode):
    kernel.run("%load_ext jupyter_awsrole").ok()
    kernel.run(f'%config AwsRole.credential_mode = "{mode}"').ok()
    local_aws.reset_stats()

    narrowed = kernel.run(f"%awsrole analyst --policy {deny_get}").ok().stdout
    assert "(profile analyst, region us-east-1, session policy: 1 inline);" in narrowed
    assert "s3:GetObject" not in narrowed  # said briefly, never the policy text
    failed = _read(kernel)
    assert failed.startswith("FAILED") and DENIED.search(failed), failed
    assert _assume_roles(local_aws) == 1

    # The same role unnarrowed: its own AssumeRole (the narrowed cached session does not serve it), full access.
    plain = kernel.run("%awsrole analyst").ok().stdout
    assert "session policy" not in plain and "(profile analyst, region us-east-1);" in plain
    assert re.fullmatch(r"ROWS \d+", _read(kernel))
    assert _assume_roles(local_aws) == 2

    # And the reverse: narrowed again is served from its own cached session, not from the unnarrowed one.
    kernel.run(f"%awsrole analyst --policy {deny_get}").ok()
    again = _read(kernel)
    assert again.startswith("FAILED") and DENIED.search(again), again
    assert _assume_roles(local_aws) == 2
    status = kernel.run("%awsrole").ok().plain
    assert "narrowed: session policy: 1 inline" in status


def test_session_takes_the_policy_as_a_keyword_beside_the_unnarrowed_role(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    code = f"""
import jupyter_awsrole
from botocore.exceptions import ClientError
def _get(session):
    try:
        return len(session.client("s3").get_object(Bucket="analytics-data", Key="sessions.csv")["Body"].read())
    except ClientError as exc:
        return exc.response["Error"]["Code"]
narrowed = jupyter_awsrole.session("analyst", policy={json.dumps(DENY_GET)!r})
plain = jupyter_awsrole.session("analyst")
print("NARROWED", _get(narrowed), "PLAIN", _get(plain), "NARROWED", _get(narrowed))
"""
    out = kernel.run(code).ok().stdout.split()
    assert out[0::2] == ["NARROWED", "PLAIN", "NARROWED"]
    assert out[1] == "AccessDenied" and out[3].isdigit() and int(out[3]) > 0 and out[5] == "AccessDenied"


def test_tags_and_source_identity_reach_sts(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    line = (
        "%awsrole analyst --session-name narrowed-by-tags --tag team=data --tag 'cost center=42' --source-identity ada"
    )
    out = kernel.run(line).ok().stdout
    assert "2 tags; source identity ada" in out
    kept = [role for role in _assumed_roles(local_aws) if role["session_name"] == "narrowed-by-tags"]
    assert [(r["session_tags"], r["source_identity"]) for r in kept] == [({"team": "data", "cost center": "42"}, "ada")]
    bad = kernel.run("%awsrole analyst --tag aws:owner=me")
    assert bad.error is not None and "--tag key 'aws:owner' must be 1-128" in bad.error["evalue"]
    assert kernel.run("import jupyter_awsrole; print(jupyter_awsrole.current().narrowing)").ok().stdout.strip() == (
        "2 tags; source identity ada"
    )  # the failed switch changed nothing
    plain_keys = kernel.run("%awsrole user1 --source-identity ada")  # no AssumeRole to narrow: refused, not ignored
    assert plain_keys.error is not None
    assert (
        plain_keys.error["evalue"]
        == "--source-identity narrows an assumed role's session; profile 'user1' assumes no role."
    )


def _assumed_roles(local_aws) -> list[dict]:
    """What the local AWS keeps of each AssumeRole session (moto's model dump, over HTTP)."""
    with DIRECT.open(f"{local_aws.endpoint}/moto-api/data.json", timeout=10) as response:
        return json.load(response)["sts"]["AssumedRole"]
