"""Interrupting a switch that hangs on STS: one line, nothing changed, no frame with a secret in %xmode Verbose."""

from __future__ import annotations

import time

import pytest

from tests.support.cells import AWS_ENV, WHOAMI
from tests.support.leaks import count_leaks, secrets_in_play

pytestmark = pytest.mark.kernel

INTERRUPT_AFTER = 2.0
ANSWER_BOUND = 20.0


def interrupted_run(kernel, code: str) -> tuple[dict, list[dict], float]:
    """Execute `code`, interrupt the kernel while it hangs, and return the reply, every iopub message, the time."""
    msg_id = kernel.kc.execute(code)
    time.sleep(INTERRUPT_AFTER)
    started = time.monotonic()
    kernel.km.interrupt_kernel()
    reply = kernel.kc.get_shell_msg(timeout=ANSWER_BOUND)
    took = time.monotonic() - started
    assert reply["parent_header"]["msg_id"] == msg_id
    messages = []
    while True:
        msg = kernel.kc.get_iopub_msg(timeout=ANSWER_BOUND)
        messages.append(msg)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["header"]["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return reply, messages, took


@pytest.mark.parametrize(
    "line",
    [
        "%awsrole marketingadmin --refresh --mfa-token {code}",
        "%awsrole analyst --refresh --region eu-west-1",
        "%awsrole audit",
    ],
    ids=["mfa-session-call", "assume-role-call", "password-prompt"],
)
def test_interrupting_a_hung_switch_is_one_line_and_changes_nothing(kernel, local_aws, home, line):
    kernel.run("%load_ext jupyter_awsrole\n%xmode Verbose\n%awsrole analyst").ok()
    kernel.run("%config AwsRole.sts_read_timeout = 60").ok()
    before = kernel.run(AWS_ENV).ok().stdout
    code = local_aws.mfa_code()
    local_aws.set_fault("hang")
    try:
        reply, messages, took = interrupted_run(kernel, line.format(code=code))
    finally:
        local_aws.set_fault("ok")

    assert took < ANSWER_BOUND
    content = reply["content"]
    assert content["status"] == "error" and content["ename"] == "UsageError", content["ename"]
    assert "Interrupted" in content["evalue"] and "nothing was changed" in content["evalue"]
    told = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
    assert told.strip().count("\n") == 0 and "Traceback" not in told, "more than one line was shown"
    assert not [m for m in messages if m["header"]["msg_type"] == "error"], "a traceback was shown"
    shown = [m for m in messages if m["header"]["msg_type"] != "execute_input"]  # the cell as typed, echoed
    leaks = count_leaks(secrets_in_play(local_aws, home) | {code}, shown)
    assert leaks == 0, f"{leaks} secret(s) in what the interrupted cell showed"
    assert kernel.run(AWS_ENV).ok().stdout == before
    assert "assumed-role/analystrole/" in kernel.run(WHOAMI).ok().stdout
