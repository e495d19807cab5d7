"""The status item, toolbar item and role switcher in Chromium: JupyterLab and Notebook 7, real kernels."""

from __future__ import annotations

import uuid

import pytest

from tests.support.lab import ROLE_TEXT, TIMEOUT, WHOAMI, browse, palette, run_cell, wait_idle, wait_text, write_notebook

pytestmark = pytest.mark.browser


def switch_role_in_dialog(page, server, profile: str, needs_code: bool) -> None:
    dialog = page.locator(".jp-awsrole-dialog")
    dialog.wait_for(timeout=TIMEOUT)
    row = dialog.locator(f".jp-awsrole-row[data-profile={profile}]")
    row.wait_for(timeout=TIMEOUT)
    dialog.locator(".jp-awsrole-filter").fill(profile[:6])
    assert dialog.locator(".jp-awsrole-row[data-profile=ci]").count() == 0  # filtered out
    assert "arn:aws:iam::123456789012:role/" in row.inner_text()
    row.click()
    code = dialog.locator(".jp-awsrole-code")
    if needs_code:
        assert "MFA" in row.inner_text()
        code.wait_for(state="visible", timeout=TIMEOUT)
        assert code.get_attribute("type") == "password"
        code.fill(server.wrong_mfa_code())
        code.press("Enter")
        error = dialog.locator(".jp-awsrole-error")
        page.wait_for_function("() => document.querySelector('.jp-awsrole-error')?.textContent.trim().length > 0",
                               timeout=TIMEOUT)
        assert "\n" not in error.inner_text().strip()
        assert dialog.is_visible()  # a failure keeps the dialog open, with the kernel's words
        code.fill(server.mfa_code())
        code.press("Enter")
    else:
        dialog.get_by_role("button", name="Assume role").click()
    dialog.wait_for(state="detached", timeout=TIMEOUT)


def test_lab_status_item_switcher_magic_and_a_second_kernel(lab, tmp_path):
    browse(lambda page: lab_steps(lab, page, tmp_path))


def lab_steps(lab, page, tmp_path):
    write_notebook(lab.notebooks / "a.ipynb", WHOAMI, "%awsrole analyst")
    write_notebook(lab.notebooks / "b.ipynb", "%load_ext jupyter_awsrole\n%awsrole ci", WHOAMI)
    page.goto(f"{lab.base}/lab/workspaces/awsrole-{uuid.uuid4().hex[:8]}/tree/a.ipynb?reset&token={lab.token}")
    try:
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
        wait_idle(page)
        wait_text(page, ".jp-awsrole-status", r"^AWS: none$")
        wait_text(page, ".jp-awsrole-toolbar", r"^AWS: none$")

        # The first click loads the extension in the kernel and opens the switcher.
        page.locator(".jp-awsrole-status").click()
        switch_role_in_dialog(page, lab, "marketingadmin", needs_code=True)
        wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="marketingadmin"))
        wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="marketingadmin"))
        status = page.locator(".jp-awsrole-status")
        assert "jp-awsrole-warning" not in (status.get_attribute("class") or "")

        text = run_cell(page, 0, "marketingadminrole")
        assert "assumed-role/marketingadminrole/" in text
        assert "[1]:" in text  # the silent %load_ext took no execution count

        run_cell(page, 1, "analystrole")
        wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))

        # A second notebook, another kernel: the status item follows the active notebook.
        page.locator(".jp-DirListing-item", has_text="b.ipynb").dblclick()
        page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=TIMEOUT)
        wait_idle(page)
        wait_text(page, ".jp-awsrole-status", r"^AWS: none$")
        run_cell(page, 0, "envrole")
        wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="ci"))
        assert "assumed-role/envrole/" in run_cell(page, 1, "envrole")

        page.locator(".lm-TabBar-tab", has_text="a.ipynb").click()
        wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))
        wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="analyst"))

        page.screenshot(path=str(tmp_path / "lab.png"))

        # A restarted kernel has no role and no extension; the notebook offers the role it remembers, and the
        # click loads the extension again and assumes it.
        palette(page, "Restart Kernel…")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        wait_text(page, ".jp-awsrole-status", r"^AWS: assume analyst again\?$")
        wait_idle(page)
        page.locator(".jp-awsrole-status").click()
        wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))

        # The palette command clears the role of the active notebook's kernel.
        palette(page, "AWS: Unset role")
        wait_text(page, ".jp-awsrole-status", r"^AWS: none$")
        assert "assumed-role" not in run_cell(page, 0, "arn:aws:")
    except Exception:
        page.screenshot(path=str(tmp_path / "lab-failure.png"))
        raise


def test_notebook7_toolbar_item_switcher_magic_and_a_second_kernel(notebook7, tmp_path):
    browse(lambda page: notebook7_steps(notebook7, page, tmp_path))


def notebook7_steps(notebook7, page, tmp_path):
    server = notebook7
    write_notebook(server.notebooks / "a.ipynb", WHOAMI, "%awsrole analyst")
    write_notebook(server.notebooks / "b.ipynb", "%load_ext jupyter_awsrole\n%awsrole ci", WHOAMI)
    page.clock.install()  # the countdown runs on the page's clock: fast-forwarded at the end
    page.goto(f"{server.base}/notebooks/a.ipynb?token={server.token}")
    try:
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
        wait_idle(page)
        wait_text(page, ".jp-awsrole-toolbar", r"^AWS: none$")
        assert page.locator(".jp-awsrole-status").count() == 0  # no status bar in Notebook 7

        page.locator(".jp-awsrole-toolbar").click()
        switch_role_in_dialog(page, server, "marketingadmin", needs_code=True)
        wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="marketingadmin"))
        assert "assumed-role/marketingadminrole/" in run_cell(page, 0, "marketingadminrole")
        run_cell(page, 1, "analystrole")
        wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="analyst"))

        other = page.context.new_page()
        other.goto(f"{server.base}/notebooks/b.ipynb?token={server.token}")
        other.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
        wait_idle(other)
        wait_text(other, ".jp-awsrole-toolbar", r"^AWS: none$")
        run_cell(other, 0, "envrole")
        wait_text(other, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="ci"))
        wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="analyst"))

        # The switcher without MFA, from the second notebook's toolbar.
        other.locator(".jp-awsrole-toolbar").click()
        switch_role_in_dialog(other, server, "analyst", needs_code=False)
        wait_text(other, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="analyst"))
        assert "assumed-role/analystrole/" in run_cell(other, 1, "analystrole")
        other.close()

        # Computed in the browser: 51 minutes on, orange; past the expiry, "expired".
        item = page.locator(".jp-awsrole-toolbar")
        assert "jp-awsrole-warning" not in (item.get_attribute("class") or "")
        page.clock.fast_forward("51:00")
        wait_text(page, ".jp-awsrole-toolbar", r"^AWS: analyst @ 123456789012 · [1-9]m$")
        assert "jp-awsrole-warning" in item.get_attribute("class")
        page.clock.fast_forward("10:00")
        wait_text(page, ".jp-awsrole-toolbar", r"^AWS: analyst @ 123456789012 · expired$")
    except Exception:
        page.screenshot(path=str(tmp_path / "notebook7-failure.png"))
        raise
