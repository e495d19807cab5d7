"""The notebook remembers its role: stored by name in its metadata, offered again on open or restart, never assumed
silently; forgotten on request; JupyterLab and Notebook 7."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import nbformat
import pytest

from tests.support import lab as ui
from tests.support.lab import ROLE_TEXT, TIMEOUT, WHOAMI, browse, run_cell, wait_idle, wait_text

pytestmark = pytest.mark.browser

KEY = "jupyter_awsrole"


def remembering(path, profile: str, *cells: str):
    """A notebook whose metadata names `profile`, as one saved after assuming it."""
    ui.write_notebook(path, *cells)
    nb = nbformat.read(path, as_version=4)
    nb.metadata[KEY] = {"profile": profile}
    nbformat.write(nb, path)
    return path


def saved_metadata(page, path, saved: Callable[[dict], bool]) -> dict:
    """Save the notebook in front, then its metadata on disk once `saved` holds (or as it is after 30 s)."""
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while True:
        metadata = json.loads(path.read_text())["metadata"]
        if saved(metadata) or time.monotonic() > deadline:
            return metadata
        time.sleep(0.2)


def click_offer_in(page, lab, name: str, profile: str):
    """Open a notebook remembering `profile` from the file browser, wait for the offer, click it: the dialog."""
    remembering(lab.notebooks / name, profile, WHOAMI)
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", rf"^AWS: assume {profile} again\?$")
    wait_idle(page)
    page.locator(".jp-awsrole-status").click()
    return page.locator(".jp-awsrole-dialog")


def open_in_lab(page, lab, name: str) -> None:
    page.goto(f"{lab.base}/lab/workspaces/awsrole-{uuid.uuid4().hex[:8]}/tree/{name}?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    wait_idle(page)


def test_lab_remembers_offers_and_forgets(lab, tmp_path):
    browse(lambda page: lab_steps(lab, page, tmp_path), failure=tmp_path / "memory-failure.png")


def lab_steps(lab, page, tmp_path):
    path = ui.write_notebook(lab.notebooks / "m.ipynb", WHOAMI, "%awsrole --forget")
    open_in_lab(page, lab, "m.ipynb")
    wait_text(page, ".jp-awsrole-status", r"^AWS: none$")  # nothing remembered yet, nothing offered

    # Assumed from the switcher: the name, and only the name, lands in the metadata.
    page.locator(".jp-awsrole-status").click()
    dialog = page.locator(".jp-awsrole-dialog")
    dialog.locator(".jp-awsrole-row").first.wait_for(timeout=TIMEOUT)
    page.keyboard.type("analys")
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))
    assert saved_metadata(page, path, lambda m: KEY in m)[KEY] == {"profile": "analyst"}

    # A restarted kernel has no role: the notebook offers it, and does not assume it by itself.
    ui.palette(page, "Restart Kernel…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_text(page, ".jp-awsrole-status", r"^AWS: assume analyst again\?$")
    wait_idle(page)
    assert "analystrole" not in run_cell(page, 0, "arn:aws:")
    # One click assumes it (no code needed for analyst).
    page.locator(".jp-awsrole-status").click()
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))
    assert page.locator(".jp-awsrole-dialog").count() == 0

    # %awsrole --forget: the metadata loses the name, the role stays for now.
    run_cell(page, 1, "forget the profile it remembers")
    assert KEY not in saved_metadata(page, path, lambda m: KEY not in m)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))

    # On the Launcher the status bar shows no notebook's role.
    ui.palette(page, "New Launcher")
    page.locator(".jp-Launcher").first.wait_for(timeout=TIMEOUT)
    page.wait_for_function("() => !document.querySelector('.jp-awsrole-status')?.offsetParent", timeout=TIMEOUT)
    page.locator(".lm-TabBar-tab", has_text="m.ipynb").click()
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="analyst"))

    # Opened with an MFA profile remembered: one click, then the code field, focused.
    dialog = click_offer_in(page, lab, "mfa.ipynb", "marketingadmin")
    code = dialog.locator(".jp-awsrole-code")
    code.wait_for(state="visible", timeout=TIMEOUT)
    page.wait_for_function("() => document.activeElement?.classList.contains('jp-awsrole-code')", timeout=TIMEOUT)
    assert dialog.locator(".jp-awsrole-row.jp-mod-selected").get_attribute("data-profile") == "marketingadmin"
    page.keyboard.type(lab.mfa_code())
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", ROLE_TEXT.format(profile="marketingadmin"))
    assert "marketingadminrole" in run_cell(page, 0, "marketingadminrole")

    # A remembered profile the config does not have: said plainly, and the switcher forgets it.
    dialog = click_offer_in(page, lab, "gone.ipynb", "no-such-profile")
    page.wait_for_function(
        "() => /does not have/.test(document.querySelector('.jp-awsrole-error')?.textContent)", timeout=TIMEOUT
    )
    assert "'no-such-profile'" in dialog.locator(".jp-awsrole-error").inner_text()
    dialog.get_by_role("button", name="Forget").click()
    assert dialog.locator(".jp-awsrole-remembered").is_hidden()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-status", r"^AWS: none$")
    assert KEY not in saved_metadata(page, lab.notebooks / "gone.ipynb", lambda m: KEY not in m)


def test_notebook7_offers_the_remembered_profile_in_the_toolbar(notebook7, tmp_path):
    browse(lambda page: notebook7_steps(notebook7, page, tmp_path), failure=tmp_path / "notebook7-memory-failure.png")


def notebook7_steps(server, page, tmp_path):
    path = remembering(server.notebooks / "r.ipynb", "marketingadmin", WHOAMI)
    page.goto(f"{server.base}/notebooks/r.ipynb?token={server.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-toolbar", r"^AWS: assume marketingadmin again\?$")
    wait_idle(page)
    assert "marketingadminrole" not in run_cell(page, 0, "arn:aws:")  # never assumed by itself
    page.locator(".jp-awsrole-toolbar").click()
    dialog = page.locator(".jp-awsrole-dialog")
    code = dialog.locator(".jp-awsrole-code")
    code.wait_for(state="visible", timeout=TIMEOUT)
    code.fill(server.mfa_code())
    code.press("Enter")
    dialog.wait_for(state="detached", timeout=TIMEOUT)
    wait_text(page, ".jp-awsrole-toolbar", ROLE_TEXT.format(profile="marketingadmin"))
    assert "marketingadminrole" in run_cell(page, 0, "marketingadminrole")
    assert saved_metadata(page, path, lambda m: "language_info" in m)[KEY] == {"profile": "marketingadmin"}
