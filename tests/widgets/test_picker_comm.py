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


def test_an_sso_sign_in_from_the_picker_shows_its_link_and_code_there(kernel, local_aws, home):
    from tests.support.sso import pending_code, sso_secrets

    local_aws.sso("POST", "reset")
    ids = kernel.run(
        "%load_ext jupyter_awsrole\nimport jupyter_awsrole\np = jupyter_awsrole.picker()\n"
        "p.select.value = 'datascientist'\nprint(p.assume_button.model_id, p.login.model_id)"
    ).ok()
    button, login = ids.stdout.split()
    kc = kernel.kc
    click = kc.session.msg("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
    kc.shell_channel.send(click)
    code = pending_code(local_aws)
    assert local_aws.sso("POST", "approve", {"user_code": code})["done"]
    caused = iopub_until_idle(kernel, click["header"]["msg_id"], timeout=120)

    shown = [
        m["content"]["data"]["state"]["value"]
        for m in caused
        if m["header"]["msg_type"] == "comm_msg"
        and m["content"]["comm_id"] == login
        and "value" in m["content"]["data"].get("state", {})
    ]
    assert any(f"user_code={code}" in value and code in value for value in shown), shown
    assert shown[-1] == "", "the sign-in is still shown after it ended"
    after = kernel.run("print(jupyter_awsrole.current().profile)").ok()
    assert after.stdout.strip() == "datascientist"
    assert count_leaks(sso_secrets(home), caused) == 0
