"""The AWS console from JupyterLab: the switcher's "Open AWS console" opens a tab at once and signs it in when the
kernel answers; `%awsrole --console` offers the link in a notification whose "Open" opens it. The link (a credential
for 15 minutes) never lands in the page's DOM, the notebook or its file."""

from __future__ import annotations

import json

import pytest

from tests.labextension.test_memory import open_in_lab
from tests.labextension.test_provenance import saved
from tests.support import lab as ui
from tests.support.lab import ROLE_TEXT, TIMEOUT, browse, run_cell, wait_text
from tests.support.leaks import assert_no_leak, secrets_in_play

pytestmark = pytest.mark.browser

TOKEN = "SigninToken="


def test_lab_opens_the_aws_console_from_the_switcher_and_from_the_magic(lab, tmp_path):
    browse(lambda page: console_steps(lab, page), failure=tmp_path / "console-failure.png")


def console_steps(lab, page):
    path = ui.write_notebook(lab.notebooks / "c.ipynb", "%load_ext jupyter_awsrole\n%awsrole user1",
                             "%awsrole analyst", "%awsrole --console s3")
    open_in_lab(page, lab, "c.ipynb")

    # Long-term keys cannot sign in to the console: the tab opened for the click closes, the kernel's line shows.
    run_cell(page, 0, "user1")
    wait_text(page, ".jp-awsrole-status", r"^AWS: user1 ")
    page.locator(".jp-awsrole-status").click()
    dialog = page.locator(".jp-awsrole-dialog")
    with page.context.expect_page(timeout=TIMEOUT) as opened:
        dialog.get_by_role("button", name="Open AWS console").click()
    tab = opened.value
    if not tab.is_closed():  # the kernel refuses long-term keys at once: the tab may be gone before we wait
        tab.wait_for_event("close", timeout=TIMEOUT)
    assert tab.is_closed()
    error = dialog.locator(".jp-awsrole-error")
    page.wait_for_function("() => /long-term/.test(document.querySelector('.jp-awsrole-error')?.textContent)",
                           timeout=TIMEOUT)
    assert "\n" not in error.inner_text().strip()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)

    run_cell(page, 1, "analyst")
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))

    # The switcher's button, reached from the keyboard: a tab opens on the press, signed in once the kernel answers.
    page.locator(".jp-awsrole-status").click()
    button = dialog.get_by_role("button", name="Open AWS console")
    button.wait_for(timeout=TIMEOUT)
    button.focus()
    with page.context.expect_page(timeout=TIMEOUT) as opened:
        page.keyboard.press("Enter")
    tab = opened.value
    tab.wait_for_url(lambda url: "Action=login" in url and TOKEN in url, timeout=TIMEOUT)
    assert tab.url.startswith(lab.aws.signin_url)  # the local AWS's federation stand-in
    assert tab.evaluate("() => window.opener") is None
    tab.close()
    assert dialog.locator(".jp-awsrole-error").inner_text().strip() == ""
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)

    # Pushed by the magic (no click to open a tab with): a notification, whose "Open" opens it.
    run_cell(page, 2, "Opening the AWS console")
    toast = page.locator(".Toastify__toast", has_text="AWS console")
    toast.wait_for(timeout=TIMEOUT)
    assert "analyst" in toast.inner_text()
    with page.context.expect_page(timeout=TIMEOUT) as opened:
        toast.get_by_role("button", name="Open").click()
    tab = opened.value
    tab.wait_for_url(lambda url: TOKEN in url and "s3" in url, timeout=TIMEOUT)
    tab.close()

    # The link is nowhere to keep: not in the page, not in the notebook, not in its file.
    assert TOKEN not in page.content()
    notebook = saved(page, path, lambda nb: nb["cells"][2].get("execution_count") is not None)
    text = json.dumps(notebook)
    assert TOKEN not in text and "Action=login" not in text
    assert_no_leak(secrets_in_play(lab.aws, lab.root / "home"), text, "the saved notebook")
