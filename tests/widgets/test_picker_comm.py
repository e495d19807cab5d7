"""The picker in a real kernel, driven by the comm messages a browser sends; every iopub message is scanned."""

from __future__ import annotations

import queue
import time

import pytest

from tests.support.leaks import count_leaks

pytestmark = pytest.mark.kernel

PICKER = (
    "%load_ext jupyter_awsrole\n"
    "import jupyter_awsrole\n"
    "p = jupyter_awsrole.picker()\n"
    "p.select.value = 'marketingadmin'\n"
    "print(p.code.model_id)"
)


def browser_update(kernel, model_id: str, state: dict) -> list[dict]:
    """Send what ipywidgets' front end sends when a field changes; return every iopub message it caused."""
    kc = kernel.kc
    msg = kc.session.msg(
        "comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}}
    )
    kc.shell_channel.send(msg)
    return iopub_until_idle(kernel, msg["header"]["msg_id"])


def iopub_until_idle(kernel, parent_id: str, timeout: float = 60) -> list[dict]:
    """Every iopub message until the kernel is idle after `parent_id`, whatever its parent."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        seen.append(msg)
        if (
            msg["header"]["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
            and msg["parent_header"].get("msg_id") == parent_id
        ):
            return seen
    raise TimeoutError("the kernel never went idle after the comm message")


def test_a_code_typed_in_the_browser_is_never_sent_back_out(kernel, local_aws):
    model_id = kernel.run(PICKER).ok().stdout.strip()
    code = local_aws.mfa_code()

    caused = browser_update(kernel, model_id, {"value": code})
    after = kernel.run("print(jupyter_awsrole.current().role_name, repr(p.code.value))").ok()

    assert "marketingadminrole ''" in after.stdout, "the kernel did not take the code from the comm message"
    updates = [m for m in caused if m["header"]["msg_type"] == "comm_msg"]
    assert any(m["content"]["data"].get("state", {}).get("value") == "" for m in updates), "the field was not cleared"
    leaks = sum(count_leaks({code}, m) for m in caused + after.messages)
    assert leaks == 0, f"the MFA code went out on iopub in {leaks} message(s)"
