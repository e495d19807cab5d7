"""Issue 13: the workers of a Dask cluster act as the kernel's role, driven from a real kernel.

The cluster is real: `dask scheduler` and `dask worker` processes on 127.0.0.1 whose environment holds no AWS
credentials and no AWS config, only the local AWS's endpoint URL and a region (tests/support/dask_cluster.py).
Checks run as tasks pinned to each worker (boto3 in the task), so "every worker" means each one was asked.
"""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest

from tests.support.dask_cluster import DaskCluster
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.kernel

MARKETING_CSV = "marketing-data/campaigns.csv"

# Functions the tasks run, defined in the kernel (cloudpickle sends them by value): none holds a secret,
# and each answers with an ARN, an error's name or a digest, never a credential.
PREP = """
import hashlib, json, jupyter_awsrole
from distributed import Client
client = Client({address!r}, timeout=30)

def arn():
    import boto3
    try:
        return boto3.client("sts").get_caller_identity()["Arn"].split("/")[1]
    except Exception as exc:
        return type(exc).__name__

def reads(path):
    import boto3
    bucket, key = path.split("/", 1)
    try:
        boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return "read"
    except Exception as exc:
        return "denied" if "AccessDenied" in str(exc) else type(exc).__name__

def key_digest():
    import boto3
    creds = boto3.Session().get_credentials()
    return hashlib.sha256(creds.get_frozen_credentials().access_key.encode()).hexdigest() if creds else None

def on_workers(function, *args):
    workers = sorted(client.scheduler_info()["workers"])
    futures = [client.submit(function, *args, workers=[w], allow_other_workers=False, pure=False) for w in workers]
    return [f.result(timeout=60) for f in futures]
"""
ON_EVERY_WORKER = "print(json.dumps(on_workers({call})))"
KERNEL_KEY = (
    "print(hashlib.sha256(jupyter_awsrole.current().credentials.access_key_id.encode()).hexdigest()"
    " if jupyter_awsrole.current() else None)"
)


@pytest.fixture(scope="module")
def cluster(local_aws, tmp_path_factory):
    dask = DaskCluster(tmp_path_factory.mktemp("dask"), local_aws.endpoint)
    try:
        dask.start_scheduler()
        dask.start_worker("w1")
        dask.start_worker("w2")
        yield dask
    finally:
        dask.stop()


def on_workers(kernel, call: str, code: str = "") -> list:
    """`call` (e.g. `arn`) run as a task on each worker, after `code` in the same cell."""
    run = kernel.run(code + "\n" + ON_EVERY_WORKER.format(call=call), timeout=180).ok()
    return json.loads(run.stdout.strip().splitlines()[-1])


def connect(kernel, cluster, workers: int) -> None:
    kernel.run(PREP.format(address=cluster.address) + f"\nclient.wait_for_workers({workers}, timeout=60)").ok()


def test_workers_act_as_the_role_follow_switches_and_joins_and_unset(kernel, local_aws, cluster, home):
    kernel.run(f"%load_ext jupyter_awsrole\n%awsrole marketingadmin --mfa-token {local_aws.mfa_code()}").ok()
    connect(kernel, cluster, 2)
    assert on_workers(kernel, "arn") == ["NoCredentialsError"] * 2  # before sharing: the workers have no role
    shown = kernel.run("share = jupyter_awsrole.share_with(client); print(share)").ok().stdout
    assert "workers=2" in shown and "marketingadmin" in shown
    assert on_workers(kernel, "arn") == ["marketingadminrole"] * 2
    assert on_workers(kernel, f"reads, {MARKETING_CSV!r}") == ["read"] * 2
    frames = kernel.run(
        "import dask.dataframe as dd\n"
        "print(len(dd.read_csv('s3://marketing-data/campaigns.csv').compute()) > 0,"
        " len(dd.read_parquet('s3://marketing-data/campaigns.parquet').compute()) > 0)",
        timeout=180,
    ).ok()
    assert frames.stdout.split() == ["True", "True"]

    # The switch reached every worker before %awsrole returned: the same cell asks them right after.
    assert on_workers(kernel, f"reads, {MARKETING_CSV!r}", code="%awsrole analyst") == ["denied"] * 2
    assert on_workers(kernel, "arn") == ["analystrole"] * 2
    assert json.loads(kernel.run("print(json.dumps(jupyter_awsrole.sharing_summary()))").ok().stdout) == {
        "clusters": 1,
        "workers": 2,
    }

    w3 = cluster.start_worker("w3")
    try:
        assert on_workers(kernel, "arn", code="client.wait_for_workers(3, timeout=60)") == ["analystrole"] * 3

        assert on_workers(kernel, "arn", code="%awsrole --unset") == ["NoCredentialsError"] * 3
    finally:
        cluster.stop_process(w3)

    secrets = secrets_in_play(local_aws, home)
    assert len(secrets) > 6  # the sandbox's keys and the cached role sessions
    assert_no_leak(secrets, cluster.logs(), "the scheduler's and workers' logs")
    for run in kernel.runs:
        assert_no_leak(secrets, run.text + json.dumps(run.messages, default=str), "the kernel's messages")


# Every credential the kernel acts with, renewals included, written to a file (never printed) for the log scan.
KEEP_SECRETS = """
import jupyter_awsrole
def _keep(event, state, path={path!r}):
    if state is not None:
        c = state.credentials
        with open(path, "a") as f:
            f.write("\\n".join([c.access_key_id, c.secret_access_key, c.session_token or ""]) + "\\n")
_keep(None, jupyter_awsrole.current())
jupyter_awsrole.observe(_keep)
"""


def test_a_renewal_reaches_the_workers_before_the_old_credentials_expire(kernel, local_aws, cluster, home, tmp_path):
    kept = tmp_path / "kept-secrets"
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst --duration 900").ok()
    kernel.run(KEEP_SECRETS.format(path=str(kept))).ok()
    connect(kernel, cluster, 2)
    first = kernel.value(KERNEL_KEY.removeprefix("print(").removesuffix(")"))
    kernel.run("jupyter_awsrole.share_with(client)").ok()
    assert on_workers(kernel, "key_digest") == [first] * 2
    kernel.run("%config AwsRole.refresh_margin_seconds = 890").ok()  # renewals due every ~10 s from now
    deadline = time.monotonic() + 60
    while True:
        now = kernel.run(KERNEL_KEY).ok().stdout.strip()
        workers = on_workers(kernel, "key_digest")
        if now != first and workers == [now] * 2:
            break
        assert time.monotonic() < deadline, "no renewal reached the workers"
        time.sleep(1)
    left = float(kernel.value("jupyter_awsrole.current().seconds_left()"))
    assert left > 800  # renewed, and long before the first credentials' 900 s were up
    pushed = {line for line in kept.read_text().splitlines() if line}
    assert len(pushed) >= 6  # the first credentials and at least one renewal's
    assert_no_leak(pushed | secrets_in_play(local_aws, home), cluster.logs(), "the scheduler's and workers' logs")


def test_stop_sharing_and_the_setting_that_shares_with_every_new_client(kernel, cluster):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    connect(kernel, cluster, 2)
    kernel.run("jupyter_awsrole.share_with(client)").ok()
    assert on_workers(kernel, "arn") == ["analystrole"] * 2
    assert on_workers(kernel, "arn", code="jupyter_awsrole.share_with(client, False)") == ["NoCredentialsError"] * 2
    assert kernel.value("jupyter_awsrole.sharing_summary()") == "{'clusters': 0, 'workers': 0}"

    made = kernel.run(
        "%config AwsRole.share_with_dask = True\n"
        f"client = Client({cluster.address!r}, timeout=30)\n"
        "print(jupyter_awsrole.sharing_summary())"
    ).ok()
    assert "'clusters': 1" in made.stdout
    assert on_workers(kernel, "arn") == ["analystrole"] * 2
    assert on_workers(kernel, "arn", code="%awsrole ci") == ["envrole"] * 2
    kernel.run("%config AwsRole.share_with_dask = False\nclient.close()").ok()
    assert kernel.value("jupyter_awsrole.sharing_summary()") == "{'clusters': 1, 'workers': 2}"
    kernel.run("%awsrole analyst").ok()  # a closed client is forgotten at the next change
    assert kernel.value("jupyter_awsrole.sharing_summary()") == "{'clusters': 0, 'workers': 0}"


def test_an_unreachable_cluster_is_one_line_and_the_role_stays(kernel, local_aws, tmp_path):
    lone = DaskCluster(tmp_path / "lone", local_aws.endpoint)
    try:
        lone.start_scheduler()
        kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
        kernel.run(f"from distributed import Client\nlone = Client({lone.address!r}, timeout=30)").ok()
        lone.stop()
        run = kernel.run("import jupyter_awsrole\njupyter_awsrole.share_with(lone)", timeout=120)
        assert run.error is not None and run.error["ename"] == "ShareError", run.text
        assert "\n" not in run.error["evalue"] and "Dask cluster" in run.error["evalue"]
        assert kernel.value("jupyter_awsrole.current().profile") == "analyst"
        assert kernel.value("jupyter_awsrole.sharing_summary()") == "{'clusters': 0, 'workers': 0}"
    finally:
        lone.stop()


def test_a_worker_that_dies_during_a_push_is_named_and_the_others_take_it(kernel, local_aws, cluster):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole ci").ok()
    doomed = cluster.start_worker("doomed")
    try:
        connect(kernel, cluster, 3)
        address = kernel.value("[a for a, w in client.scheduler_info()['workers'].items() if w['name'] == 'doomed'][0]")
        kernel.run("jupyter_awsrole.share_with(client)").ok()
        doomed.send_signal(signal.SIGSTOP)  # it takes the connection and never answers: the push waits on it
        threading.Timer(2.0, doomed.kill).start()  # then it dies
        run = kernel.run("%awsrole analyst", timeout=120).ok()
        told = [line for line in run.stderr.splitlines() if "jupyter-awsrole" in line]
        assert len(told) == 1 and address in told[0] and "the other 2 did" in told[0], run.stderr
        assert kernel.value("jupyter_awsrole.current().profile") == "analyst"
        assert on_workers(kernel, "arn", code="client.wait_for_workers(2)") == ["analystrole"] * 2
    finally:
        doomed.kill()
        doomed.wait()
