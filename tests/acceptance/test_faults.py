"""Faults against the local AWS: STS gone, STS silent, a corrupt cache, a permissive umask, busy threads."""

from __future__ import annotations

import json
import stat
import time
from urllib.parse import urlparse

import pytest

from tests.support.cells import AWS_ENV, WHOAMI, env_digest, extend_config
from tests.support.kernel import Kernel
from tests.support.proxy import PausableProxy

pytestmark = pytest.mark.kernel
SLACK = 3  # bounds are this many times the configured timeouts, for a slow or busy machine


@pytest.fixture
def proxy(local_aws):
    url = urlparse(local_aws.endpoint)
    p = PausableProxy(url.hostname, url.port)
    yield p
    p.down()


@pytest.fixture
def via_proxy(kernel_env, local_aws, proxy, tmp_path):
    extend_config(
        kernel_env,
        local_aws,
        tmp_path,
        f"""
[profile analyst-proxied]
role_arn = arn:aws:iam::123456789012:role/analystrole
source_profile = user1
endpoint_url = {proxy.url}
""",
    )
    k = Kernel(kernel_env)
    k.run("%load_ext jupyter_awsrole").ok()
    yield k
    k.stop()


def active_key_digest(kernel: Kernel) -> str:
    """A digest of the active role's access key id, to see new credentials without printing a key."""
    code = "import hashlib, jupyter_awsrole as j; print(hashlib.sha256(j.current().credentials.access_key_id.encode()).hexdigest())"
    return kernel.run(code).ok().stdout


def test_sts_gone_is_a_clear_bounded_message_and_works_again_when_back(via_proxy, proxy):
    k = via_proxy
    k.run("%awsrole analyst-proxied").ok()
    k.run("%config AwsRole.sts_connect_timeout = 2").ok()
    before, key = env_digest(k), active_key_digest(k)
    proxy.down()
    started = time.monotonic()
    run = k.run("%awsrole analyst-proxied --refresh")
    took = time.monotonic() - started
    assert run.error["ename"] == "UsageError"
    assert f"Cannot reach STS at {proxy.url}" in run.error["evalue"]
    limit = SLACK * 3 * 2  # three attempts of at most 2 s each
    assert took < limit, f"refused STS answered in {took:.1f} s, more than {limit} s"
    assert env_digest(k) == before
    proxy.up()
    k.run("%awsrole analyst-proxied --refresh").ok()
    assert active_key_digest(k) != key  # new credentials (served at the same path: the variables may stay)


def test_silent_sts_is_bounded_by_the_read_timeout(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    kernel.run("%config AwsRole.sts_read_timeout = 1.5\n%config AwsRole.sts_max_attempts = 1").ok()
    before = env_digest(kernel)
    local_aws.set_fault("hang")
    try:
        started = time.monotonic()
        run = kernel.run("%awsrole analyst --refresh")
        took = time.monotonic() - started
    finally:
        local_aws.set_fault("ok")
    assert "did not answer in 1.5 s" in run.error["evalue"]
    limit = SLACK * 1.5  # one attempt, read timeout 1.5 s
    assert took < limit, f"silent STS answered in {took:.1f} s, more than {limit} s"
    assert env_digest(kernel) == before


def test_a_corrupt_cache_file_is_skipped_with_a_warning_and_rewritten(kernel, local_aws, home):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    cache = home / ".aws" / "cli" / "cache"
    files = [p for p in cache.glob("*.json") if not p.name.startswith("jupyter-awsrole-mfa")]
    assert len(files) == 1
    files[0].write_text('{"Credentials": {"AccessKeyId": "trunc')
    kernel.restart()
    run = kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    assert "ignoring unreadable cache file" in run.stderr
    assert json.loads(files[0].read_text())["Credentials"]["AccessKeyId"]
    assert "assumed-role/analystrole/" in kernel.run(WHOAMI).ok().stdout


def test_cache_is_private_under_a_permissive_umask(kernel, home):
    kernel.run("import os; os.umask(0)").ok()
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    for folder in (home / ".aws", home / ".aws" / "cli", home / ".aws" / "cli" / "cache"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in (home / ".aws" / "cli" / "cache").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_eight_threads_keep_working_through_refreshes(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    run = kernel.run("""
import threading, boto3, jupyter_awsrole
failures, calls, stop = [], [0], threading.Event()
def work():
    while not stop.is_set():
        try:
            boto3.session.Session().client('sts').get_caller_identity()
            calls[0] += 1
        except Exception as exc:
            failures.append(type(exc).__name__)
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
import time
refreshes, until = 0, time.monotonic() + 90
while (refreshes < 5 or calls[0] < 100) and time.monotonic() < until:
    assert jupyter_awsrole.refresh() is not None
    refreshes += 1
    time.sleep(0.02)
stop.set()
for t in threads: t.join()
print('calls', calls[0], 'failures', failures)
""").ok()
    calls = int(run.stdout.split()[1])
    assert calls >= 100 and run.stdout.strip().endswith("failures []"), run.stdout


def test_two_kernels_switching_on_one_cache_folder(kernel_env, local_aws, home):
    kernels = [Kernel(kernel_env) for _ in range(2)]
    try:
        for k in kernels:
            k.run("%load_ext jupyter_awsrole").ok()
        for k in kernels:
            k.kc.execute(
                "for _ in range(5):\n    get_ipython().run_line_magic('awsrole', 'analyst --refresh')\n"
                "    get_ipython().run_line_magic('awsrole', 'ci --refresh')"
            )
        time.sleep(0.5)
        for k in kernels:
            k.run("1", timeout=120).ok()  # waits for the loop above to finish
            assert "assumed-role/envrole/" in k.run(WHOAMI).ok().stdout
        for path in (home / ".aws" / "cli" / "cache").glob("*.json"):
            assert json.loads(path.read_text())["Credentials"]["SessionToken"]
    finally:
        for k in kernels:
            k.stop()


def test_a_failing_refresh_is_told_in_one_line_and_keeps_the_old_credentials(via_proxy, proxy):
    k = via_proxy
    k.run("%awsrole analyst-proxied").ok()
    before = env_digest(k)
    proxy.down()
    k.run("%config AwsRole.refresh_margin_seconds = 3597").ok()
    deadline = time.time() + 30
    while "could not renew profile 'analyst-proxied'" not in (told := k.run("1")).stderr:
        assert time.time() < deadline, "the failed refresh was never told"
        time.sleep(1)
    line = [x for x in told.stderr.splitlines() if "could not renew" in x]
    assert len(line) == 1 and "Cannot reach STS" in line[0]
    assert env_digest(k) == before
    proxy.up()
    k.run("%config AwsRole.refresh_margin_seconds = 1200").ok()


def test_credentials_renewed_while_a_long_cell_runs(kernel):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    run = kernel.run(
        "import os, time, boto3, jupyter_awsrole\n"
        "first = jupyter_awsrole.current().credentials.access_key_id\n"
        "get_ipython().run_line_magic('config', 'AwsRole.refresh_margin_seconds = 3597')\n"
        "time.sleep(6)\n"
        "print('renewed', jupyter_awsrole.current().credentials.access_key_id != first)\n"
        "print(boto3.client('sts').get_caller_identity()['Arn'])\n"
        "get_ipython().run_line_magic('config', 'AwsRole.refresh_margin_seconds = 1200')"
    ).ok()
    assert "renewed True" in run.stdout and "assumed-role/analystrole/" in run.stdout


@pytest.mark.parametrize("setting, calls", [(None, 3), (1, 1), (4, 4)])
def test_throttling_is_retried_exactly_sts_max_attempts_times(kernel, local_aws, setting, calls):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    if setting is not None:
        kernel.run(f"%config AwsRole.sts_max_attempts = {setting}").ok()
    local_aws.reset_stats()
    local_aws.set_fault("throttle")
    try:
        run = kernel.run("%awsrole analyst --refresh")
    finally:
        local_aws.set_fault("ok")
    assert "throttling" in run.error["evalue"]
    assert local_aws.stats()["sts"] == {"AssumeRole": calls}  # attempts, not 1 + retries


def test_a_switch_to_a_cached_session_makes_no_sts_call(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst\n%awsrole ci").ok()
    kernel.run("%awsrole reporting", answers=lambda prompt: local_aws.mfa_code()).ok()
    local_aws.reset_stats()
    kernel.run("%awsrole analyst\n%awsrole marketingadmin\n%awsrole reporting\n%awsrole ci").ok()
    kernel.restart()  # a new kernel reads the same sessions from the disk cache
    run = kernel.run("%load_ext jupyter_awsrole\n%awsrole analyst\n%awsrole reporting\n%awsrole ci").ok()
    assert run.prompts == []
    assert local_aws.stats()["sts_total"] == 0


def test_an_expired_mfa_session_asks_again(kernel, local_aws, home):
    kernel.run("%load_ext jupyter_awsrole").ok()
    kernel.run("%awsrole marketingadmin", answers=lambda p: local_aws.mfa_code()).ok()
    cache = home / ".aws" / "cli" / "cache"
    for path in cache.glob("*.json"):  # every session, the MFA one included, has run out
        data = json.loads(path.read_text())
        data["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z"
        path.write_text(json.dumps(data))
    kernel.restart()
    again = kernel.run("%load_ext jupyter_awsrole\n%awsrole marketingadmin", answers=lambda p: local_aws.mfa_code())
    again.ok()
    assert len(again.prompts) == 1


def test_a_role_never_reaches_another_kernel(kernel_env, local_aws):
    first, second = Kernel(kernel_env), Kernel(kernel_env)
    try:
        before = env_digest(second)
        first.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
        assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in json.loads(first.run(AWS_ENV).ok().stdout)
        assert env_digest(second) == before
    finally:
        first.stop()
        second.stop()
