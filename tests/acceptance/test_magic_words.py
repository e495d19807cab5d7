"""What the magic says as a new user meets it: its help, a code that was not needed, forgetting with no front end."""

from __future__ import annotations

import pytest

from jupyter_awsrole.magics import CODE_NOT_NEEDED, AwsRoleMagics

pytestmark = pytest.mark.kernel


def test_help_is_plain_text_and_names_every_form():
    shown = AwsRoleMagics.awsrole.__doc__ or ""  # what `%awsrole?` prints
    assert "::" not in shown
    assert shown.startswith("Usage: %awsrole")
    for form in (
        "%awsrole PROFILE",
        "\n%awsrole  ",
        "%awsrole --list",
        "%awsrole --unset",
        "%awsrole --forget",
        "%%awsrole PROFILE",
    ):
        assert form in shown, form


def test_a_code_given_inside_the_mfa_session_is_said_to_be_unneeded(kernel, local_aws):
    kernel.run("%load_ext jupyter_awsrole").ok()
    first = kernel.run(f"%awsrole marketingadmin --mfa-token {local_aws.mfa_code()}").ok().stdout
    assert CODE_NOT_NEEDED not in first  # this code opened the session
    again = kernel.run("%awsrole marketingadmin --refresh --mfa-token 000000").ok().stdout
    assert "Now marketingadminrole" in again and CODE_NOT_NEEDED in again


def test_forget_asks_the_notebook_front_end_over_the_comm(kernel):
    loaded = kernel.run("%load_ext jupyter_awsrole").ok()
    [opened] = [m["content"] for m in loaded.messages if m["header"]["msg_type"] == "comm_open"]
    unheard = kernel.run("%awsrole --forget").ok()  # the kernel's comm is open, but no front end answered on it
    assert "No notebook front end is listening" in unheard.stdout
    # a front end speaks on the comm the kernel opened, as the lab extension does when it adopts it
    answer = {"comm_id": opened["comm_id"], "data": {"request": "role"}}
    kernel.kc.shell_channel.send(kernel.kc.session.msg("comm_msg", answer))
    run = kernel.run("%awsrole --forget").ok()
    assert "forget the profile it remembers" in run.stdout
    pushed = [m["content"]["data"] for m in run.messages if m["header"]["msg_type"] == "comm_msg"]
    assert {"event": "forget"} in pushed
    assert "takes no" in kernel.run("%awsrole --forget analyst").text
