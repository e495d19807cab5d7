"""No secret in what a failure shows: `%xmode Verbose` tracebacks (every frame's locals) and DEBUG logging."""

from __future__ import annotations

import threading

import pytest

from tests.support.cells import env_digest, extend_config
from tests.support.kernel import Kernel, Run
from tests.support.leaks import count_leaks, secrets_in_play

pytestmark = pytest.mark.kernel

DENIED = """
[profile denied]
role_arn = arn:aws:iam::123456789012:role/envrole
source_profile = user1
"""


def outputs(run: Run) -> list[dict]:
    """What the kernel sent back, without the echo of the cell's own source (which holds --mfa-token)."""
    return [m["content"] for m in run.messages if m["header"]["msg_type"] != "execute_input"]


def traceback_of(run: Run) -> str:
    return "\n".join(run.error["traceback"]) if run.error else ""


@pytest.fixture
def verbose(kernel_env, local_aws, tmp_path):
    extend_config(kernel_env, local_aws, tmp_path, DENIED)
    k = Kernel(kernel_env)
    k.run("%xmode Verbose\nimport jupyter_awsrole\n%load_ext jupyter_awsrole").ok()
    yield k
    k.stop()


def interrupted(k: Kernel, local_aws, code: str) -> Run:
    """Run `code` while STS hangs and interrupt the kernel once the call waits on STS."""
    local_aws.reset_stats()
    local_aws.set_fault("hang")
    timer = threading.Timer(3.0, k.km.interrupt_kernel)
    try:
        timer.start()
        run = k.run(code)
    finally:
        timer.cancel()
        local_aws.set_fault("ok")
    assert local_aws.stats()["sts_total"] >= 1, "the interrupt came before any STS call"
    return run


def test_verbose_tracebacks_of_failures_hold_no_secret(verbose, local_aws, home, tmp_path):
    k = verbose
    codes = []

    def code_file(code: str) -> str:
        """The cell reads the code from a file, so that the cell's own source and locals never show it."""
        codes.append(code)
        path = tmp_path / f"code-{len(codes)}"
        path.write_text(code)
        return f"open({str(path)!r}).read().strip()"

    before = env_digest(k)
    k.run(f"jupyter_awsrole.assume('marketingadmin', mfa={code_file(local_aws.mfa_code())})").ok()
    k.run("jupyter_awsrole.assume('analyst')").ok()  # a role session in the environment, keys in the baseline
    k.run("%config AwsRole.mfa_session_seconds = 0").ok()  # the next codes go to AssumeRole itself
    k.run("%config AwsRole.sts_read_timeout = 30").ok()
    during = env_digest(k)

    failures = {
        "wrong MFA code": k.run(
            f"jupyter_awsrole.assume('marketingadmin', mfa={code_file(local_aws.wrong_mfa_code())}, refresh=True)"
        ),
        "AccessDenied": k.run("jupyter_awsrole.assume('denied')"),
        "bad region": k.run("jupyter_awsrole.assume('ci', region='eu west 1')"),
        "duration over the role's limit": k.run("jupyter_awsrole.assume('analyst', duration=43200, refresh=True)"),
        "bad duration in a scope": k.run("with jupyter_awsrole.role('ci', duration='soon'):\n    pass"),
        "error inside a scope": k.run("with jupyter_awsrole.role('ci'):\n    raise ValueError('mine')"),
        "interrupted switch": interrupted(k, local_aws, "jupyter_awsrole.assume('reporting', refresh=True)"),
        "interrupted refresh": interrupted(k, local_aws, "jupyter_awsrole.refresh()"),
        "interrupted magic": interrupted(k, local_aws, "%awsrole reporting --refresh"),
    }
    expected = {
        "wrong MFA code": "MfaError",
        "AccessDenied": "StsError",
        "bad region": "AwsRoleError",
        "duration over the role's limit": "StsError",
        "bad duration in a scope": "AwsRoleError",
        "error inside a scope": "ValueError",
        "interrupted switch": "KeyboardInterrupt",
        "interrupted refresh": "KeyboardInterrupt",
    }
    known = secrets_in_play(local_aws, home) | set(codes)
    assert len(known) >= 10
    leaks = {name: count_leaks(known, traceback_of(run)) for name, run in failures.items()}
    assert leaks == {name: 0 for name in failures}, f"secrets found per traceback: {leaks}"
    names = {name: run.error and run.error["ename"] for name, run in failures.items()}
    assert names.pop("interrupted magic") in ("KeyboardInterrupt", "UsageError")  # magics.py decides which
    assert names == expected
    message = failures["wrong MFA code"].error["evalue"]
    assert "MFA code" in message
    assert env_digest(k) == during, "a failure changed the environment"
    k.run("jupyter_awsrole.unset()").ok()
    assert env_digest(k) == before


def test_debug_logging_shows_none_of_our_sts_traffic(kernel, local_aws, home):
    k = kernel
    k.run("import logging, boto3; logging.basicConfig(level=logging.DEBUG)\n%load_ext jupyter_awsrole").ok()
    code = local_aws.mfa_code()
    switch = k.run(f"%awsrole marketingadmin --mfa-token {code}").ok()
    renewal = k.run("import jupyter_awsrole; print(jupyter_awsrole.refresh() is not None)").ok()
    renewed = renewal.stdout.strip()
    assert renewed == "True"
    known = secrets_in_play(local_aws, home) | {code}
    assert len(known) >= 8
    leaks = {name: count_leaks(known, outputs(run)) for name, run in (("switch", switch), ("refresh", renewal))}
    assert leaks == {"switch": 0, "refresh": 0}, f"secrets found in the cell output: {leaks}"
    ours = switch.stderr + renewal.stderr
    assert ("GetSessionToken" in ours, "AssumeRole" in ours) == (False, False)
    # A user's own clients log as asked: only our calls are kept out.
    theirs = k.run("boto3.client('sts').get_caller_identity()").ok().stderr
    assert ("Response body" in theirs, "GetCallerIdentity" in theirs) == (True, True)
