"""Renewals never freeze the notebook: STS hanging on a due renewal holds up no cell, status, switch or unset."""

from __future__ import annotations

import hashlib
import time

import pytest

from tests.support.cells import WHOAMI, env_digest
from tests.support.kernel import Kernel

pytestmark = pytest.mark.kernel

INSTANT = 2.0  # seconds; such a cell takes a few ms, one waiting on STS takes the read timeout or more
HUNG_READ_TIMEOUT = 30  # long enough that every step below happens while the renewal still hangs


def timed(kernel: Kernel, code: str) -> tuple[str, str | None, float]:
    """Run `code`: what it printed (stdout and rich output), the error name if any, and the seconds it took."""
    started = time.monotonic()
    run = kernel.run(code)
    took = time.monotonic() - started
    return run.stdout + run.plain, run.error and run.error["ename"], took


def key_digest(kernel: Kernel) -> str:
    """A digest of the access key id in use, to see a renewal without printing a key."""
    code = "import jupyter_awsrole as j; s = j.current(); print(s.credentials.access_key_id if s else '')"
    key = kernel.run(code).ok().stdout.strip()
    return hashlib.sha256(key.encode()).hexdigest()


def wait_for_assume_role_calls(local_aws, count: int, limit: float = 30) -> None:
    """Until STS has seen `count` AssumeRole calls since the last reset (the renewal is then hanging)."""
    deadline = time.monotonic() + limit
    while local_aws.stats()["sts"].get("AssumeRole", 0) < count:
        assert time.monotonic() < deadline, "the renewal never reached STS"
        time.sleep(0.2)


def renewal_news(kernel: Kernel) -> list[str]:
    """Run a plain cell, which must be instant; the lines it told about renewals."""
    started = time.monotonic()
    run = kernel.run("1")
    took, error = time.monotonic() - started, run.error
    assert error is None and took < INSTANT, f"a plain cell took {took:.1f} s"
    return [line for line in run.stderr.splitlines() if "renew" in line]


def wait_until(kernel: Kernel, condition, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.5)


def test_a_hung_renewal_never_freezes_cells_status_switch_or_unset(kernel, local_aws):
    k = kernel
    before = env_digest(k)
    k.run("%load_ext jupyter_awsrole\n%awsrole ci\n%awsrole analyst").ok()
    k.run(f"%config AwsRole.sts_read_timeout = {HUNG_READ_TIMEOUT}\n%config AwsRole.sts_max_attempts = 1").ok()
    first = key_digest(k)
    local_aws.reset_stats()
    local_aws.set_fault("hang")
    try:
        k.run("%config AwsRole.refresh_margin_seconds = 3597").ok()  # the renewal is due in about 3 s
        wait_for_assume_role_calls(local_aws, 1)

        shown, error, took = timed(k, "print(1 + 1)")
        assert (shown.strip(), error) == ("2", None) and took < INSTANT, f"a plain cell took {took:.1f} s"
        shown, error, took = timed(k, "%awsrole")
        assert "analystrole" in shown and error is None and took < INSTANT, f"%awsrole took {took:.1f} s"
        assert key_digest(k) == first
    finally:
        local_aws.set_fault("ok")  # the hung call is answered now
    wait_until(k, lambda: key_digest(k) != first)  # the renewal went through once STS answered
    whoami = k.run(WHOAMI).ok().stdout
    assert "assumed-role/analystrole/" in whoami

    local_aws.reset_stats()
    local_aws.set_fault("hang")
    try:
        wait_for_assume_role_calls(local_aws, 1)  # the renewal of the new session hangs in its turn
        _, error, took = timed(k, "%config AwsRole.refresh_margin_seconds = 1200")
        assert error is None and took < INSTANT, f"%config took {took:.1f} s"
        shown, error, took = timed(k, "%awsrole ci")  # cached: needs no STS call, so must not wait for the renewal
        assert "envrole" in shown and error is None and took < INSTANT, f"a cached switch took {took:.1f} s"
        _, error, took = timed(k, "%awsrole --unset")
        assert error is None and took < INSTANT, f"--unset took {took:.1f} s"
        assert local_aws.stats()["sts"] == {"AssumeRole": 1}
    finally:
        local_aws.set_fault("ok")  # the renewal of analyst is answered now, for a state that is gone
    time.sleep(2)
    assert env_digest(k) == before, "a late renewal came back after --unset"


def test_a_renewal_that_times_out_is_told_once_and_cells_stay_instant(kernel, local_aws):
    k = kernel
    k.run("%load_ext jupyter_awsrole\n%awsrole analyst").ok()
    k.run("%config AwsRole.sts_read_timeout = 3\n%config AwsRole.sts_max_attempts = 1").ok()
    first = key_digest(k)
    told = []
    local_aws.set_fault("hang")
    try:
        k.run("%config AwsRole.refresh_margin_seconds = 3597").ok()
        deadline = time.monotonic() + 40
        while not told:
            assert time.monotonic() < deadline, "the failed renewal was never told"
            told += renewal_news(k)
            time.sleep(0.5)
        for _ in range(3):
            told += renewal_news(k)
    finally:
        local_aws.set_fault("ok")
    assert len(told) == 1, f"told {len(told)} times"
    line = told[0]
    assert line.startswith("awsrole: could not renew profile 'analyst'") and "did not answer in 3 s" in line
    assert key_digest(k) == first
    k.run("%config AwsRole.refresh_margin_seconds = 1200").ok()
