"""The kernel's credential endpoint, in a real kernel against the local AWS: every client keeps its role,
new clients and subprocesses follow the switch, unset stops every path, the token guards the port."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.support.cells import WHOAMI
from tests.support.endpoint_client import get
from tests.support.kernel import Kernel
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

ENDPOINT_ENV = (
    "import os, json; print(json.dumps({k: os.environ.get(k) for k in ("
    "'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',"
    " 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',"
    " 'AWS_SESSION_TOKEN', 'AWS_PROFILE')}))"
)
ANALYST_CSV = "s3://analytics-data/sessions.csv"
MARKETING_CSV = "s3://marketing-data/campaigns.csv"


def _mfa(local_aws) -> str:
    return f"--mfa-token {local_aws.mfa_code()}"


def _endpoint_env(kernel: Kernel) -> dict[str, str | None]:
    """The endpoint variables, read by a run that is then dropped from the runs the leak scan reads."""
    values = json.loads(kernel.run(ENDPOINT_ENV).ok().stdout)
    kernel.runs.pop()
    return values


def test_a_client_keeps_its_role_and_new_ones_follow_the_switch(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst --duration 900").ok()
    env = _endpoint_env(kernel)
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] and env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    assert env["AWS_ACCESS_KEY_ID"] is None and env["AWS_SESSION_TOKEN"] is None and env["AWS_PROFILE"] is None
    kernel.run("import boto3; c = boto3.client('sts'); print(c.get_caller_identity()['Arn'])").ok()
    kernel.run(f"%awsrole marketingadmin {_mfa(local_aws)}").ok()
    old = kernel.run("print(c.get_caller_identity()['Arn'])").ok().stdout
    assert "assumed-role/analystrole/" in old
    assert "assumed-role/marketingadminrole/" in kernel.run(WHOAMI).ok().stdout
    cli = kernel.run("!aws sts get-caller-identity --query Arn --output text").ok().stdout
    assert "assumed-role/marketingadminrole/" in cli
    # The path of analyst stays the same across a --refresh: the old client still works after it.
    uri = _endpoint_env(kernel)["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    kernel.run("%awsrole marketingadmin --refresh").ok()
    assert _endpoint_env(kernel)["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == uri
    assert "assumed-role/analystrole/" in kernel.run("print(c.get_caller_identity()['Arn'])").ok().stdout
    secrets = secrets_in_play(local_aws) | {env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] or ""}
    for run in kernel.runs:
        assert_no_leak(secrets, run.text + json.dumps(run.messages, default=str), "the kernel's messages")


# botocore tolerates a failed fetch in its advisory window (15 min left) and fails in its mandatory one
# (10 min): bring the client's credentials into the mandatory window (a private attribute, test only).
INTO_MANDATORY_WINDOW = (
    "import datetime\n"
    "creds = c._request_signer._credentials\n"
    "creds._expiry_time = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)\n"
)


def test_unset_makes_an_old_client_fail_at_its_next_fetch(kernel):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    kernel.run("import boto3; c = boto3.client('sts'); c.get_caller_identity()").ok()
    kernel.run(INTO_MANDATORY_WINDOW + "print(c.get_caller_identity()['Arn'])").ok()  # fetched again: works
    kernel.run("%awsrole --unset").ok()
    env = _endpoint_env(kernel)
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] is None
    run = kernel.run(INTO_MANDATORY_WINDOW + "c.get_caller_identity()", timeout=60)
    assert run.error is not None and "Credential" in run.error["ename"], run.error and run.error["ename"]


def test_the_token_guards_the_port(kernel):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    env = _endpoint_env(kernel)
    uri, token = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert get(uri, None) == (401, b"")
    assert get(uri, token + "x") == (403, b"")
    assert get(uri, "") == (403, b"")
    base = uri.rsplit("/role/", 1)[0]
    assert get(base + "/role/" + "0" * 32, token) == (404, b"")
    status, body = get(uri, token)
    data = json.loads(body)
    assert status == 200 and set(data) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert data["Expiration"].endswith("Z")
    with open(env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) as f:
        assert f.read() == token
    modes = kernel.run(
        "import os, stat; f = os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'];"
        "print(oct(stat.S_IMODE(os.stat(f).st_mode)), oct(stat.S_IMODE(os.stat(os.path.dirname(f)).st_mode)))"
    )
    assert modes.ok().stdout.split() == ["0o600", "0o700"]


def test_both_modes_for_boto3_and_pandas(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    for mode in ("environment", "endpoint"):
        kernel.run(f"%config AwsRole.credential_mode = '{mode}'\n%awsrole analyst").ok()
        env = _endpoint_env(kernel)
        assert (env["AWS_ACCESS_KEY_ID"] is not None) == (mode == "environment")
        assert (env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] is not None) == (mode == "endpoint")
        assert "assumed-role/analystrole/" in kernel.run(WHOAMI).ok().stdout
        run = kernel.run(f"import pandas as pd; print(len(pd.read_csv('{ANALYST_CSV}')) > 0)").ok()
        assert "True" in run.stdout
        kernel.run("%awsrole --unset").ok()


def test_session_and_storage_options_act_beside_the_active_role(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    code = local_aws.mfa_code()
    run = kernel.run(
        "import jupyter_awsrole\n"
        f"s = jupyter_awsrole.session('marketingadmin', mfa='{code}')\n"
        "print(s.client('sts').get_caller_identity()['Arn'])\n"
        "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])\n"
        "print(jupyter_awsrole.current().profile)"
    ).ok()
    lines = run.stdout.split()
    assert "assumed-role/marketingadminrole/" in lines[0]
    assert "assumed-role/analystrole/" in lines[1]
    assert lines[2] == "analyst"
    opts = kernel.run(
        "import pandas as pd\n"
        "o = jupyter_awsrole.storage_options('marketingadmin')\n"
        f"print(len(pd.read_csv('{MARKETING_CSV}', storage_options=o)) > 0)\n"
        f"print(len(pd.read_csv('{ANALYST_CSV}')) > 0)"
    ).ok()
    assert opts.stdout.split() == ["True", "True"]


def test_the_endpoint_answers_while_a_cell_loops(kernel):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    env = _endpoint_env(kernel)
    uri, token = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    kernel.kc.execute("import time\nend = time.monotonic() + 5\nwhile time.monotonic() < end:\n    pass\n")
    time.sleep(0.5)
    took = []
    for _ in range(5):
        start = time.perf_counter()
        status, _body = get(uri, token)
        took.append(time.perf_counter() - start)
        assert status == 200
    assert max(took) < 2.0, took
    kernel.run("print('done')").ok()


FLOOD = 10_000  # bad requests, half without a token, half with a wrong one


def test_a_flood_of_bad_requests_does_not_slow_cells_or_grow_memory(kernel):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    env = _endpoint_env(kernel)
    uri = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    loop = (
        "import time\nt = time.perf_counter()\nfor i in range(200000):\n    x = str(i)\nprint(time.perf_counter() - t)"
    )
    rss = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    quiet = float(kernel.run(loop).ok().stdout)
    rss_before = int(kernel.run(rss).ok().stdout)
    stop = threading.Event()
    sent = [0]

    def flood() -> None:
        while not stop.is_set():
            get(uri, "wrong" if sent[0] % 2 else None)
            sent[0] += 1

    threads = [threading.Thread(target=flood) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        loud = min(float(kernel.run(loop).ok().stdout) for _ in range(3))
        while sent[0] < FLOOD:
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join()
    rss_after = int(kernel.run(rss).ok().stdout)
    assert sent[0] >= FLOOD
    assert loud < quiet * 2 + 0.05, (quiet, loud)
    assert rss_after - rss_before < 20_000, (rss_before, rss_after)  # KiB


CLUSTER_WHOAMI = """
from distributed import Client, LocalCluster

def whoami():
    import boto3
    return boto3.client("sts").get_caller_identity()["Arn"]

with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
    with Client(cluster) as client:
        print(client.submit(whoami, pure=False).result(timeout=60))
"""


def test_local_cluster_workers_started_after_a_switch_act_as_the_new_role(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    assert "assumed-role/analystrole/" in kernel.run(CLUSTER_WHOAMI, timeout=180).ok().stdout
    kernel.run(f"%awsrole marketingadmin {_mfa(local_aws)}").ok()
    assert "assumed-role/marketingadminrole/" in kernel.run(CLUSTER_WHOAMI, timeout=180).ok().stdout
