"""The README's first command: JupyterLab on the quickstart against the local AWS, and a clean stop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from jupyter_awsrole.loopback import DIRECT
from tests.support.demo_process import DemoProcess
from tests.support.leaks import assert_no_leak

pytestmark = pytest.mark.browser


def _api(demo, path: str, method: str = "GET", body: dict | None = None) -> dict:
    base, token = demo.url.split("/lab/")[0], demo.url.split("token=")[1]
    request = urllib.request.Request(
        f"{base}{path}?token={token}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with DIRECT.open(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


def test_quickstart_runs_in_chromium_with_the_mfa_code_typed_into_the_password_box(demo, page, tmp_path):
    page.goto(demo.url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    try:
        box = page.wait_for_selector("input.jp-Stdin-input", timeout=60_000)
    except Exception:
        page.screenshot(path=str(tmp_path / "no-password-box.png"))
        raise
    assert box.get_attribute("type") == "password"
    assert "MFA code for arn:aws:iam::123456789012:mfa/user1" in page.inner_text(".jp-Stdin")
    box.fill(demo.mfa_code())
    box.press("Enter")
    page.wait_for_selector(".jp-OutputArea-output:has-text('assumed-role/marketingadminrole/')", timeout=60_000)
    table = page.wait_for_selector(".jp-OutputArea-output table.dataframe", timeout=60_000)
    headers = table.inner_text()
    for column in ("campaign_id", "channel", "spend"):
        assert column in headers
    page.wait_for_selector(".jp-OutputArea-output img", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    assert not any("Error" in text for text in errors), errors
    assert page.get_by_text("official Jupyter news").count() == 0
    page.locator(".jp-Cell").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "quickstart.png"))
    assert demo.stop(signal.SIGINT) == 0
    assert demo.leftovers() == []
    assert not demo.root.exists()


def test_sigterm_leaves_no_server_no_kernel_and_no_local_aws(demo):
    kernel = _api(demo, "/api/kernels", "POST", {"name": "python3"})
    assert kernel["id"]
    assert any("ipykernel" in line for line in demo.leftovers())
    assert any("localaws" in line for line in demo.leftovers())
    assert demo.stop(signal.SIGTERM) == 0
    assert demo.leftovers() == []
    assert not demo.root.exists()


def _terminal(demo, name: str, line: str, until: str, timeout: float = 30) -> str:
    """Type a line into a JupyterLab terminal (its websocket, as the page does) and return what it printed."""
    from tornado.websocket import websocket_connect

    base, token = demo.url.split("/lab/")[0], demo.url.split("token=")[1]
    url = f"{base.replace('http', 'ws', 1)}/terminals/websocket/{name}?token={token}"

    async def talk() -> str:
        socket = await websocket_connect(url)
        socket.write_message(json.dumps(["stdin", line + "\r"]))
        seen = ""
        deadline = time.monotonic() + timeout
        while until not in seen and time.monotonic() < deadline:
            message = await asyncio.wait_for(socket.read_message(), timeout)
            if message is None:
                break
            kind, *data = json.loads(message)
            if kind == "stdout":
                seen += data[0]
        socket.close()
        return seen

    # On a thread of its own: the session's Playwright keeps an event loop running on this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, talk()).result()


def test_a_new_terminal_runs_the_mfa_command_and_stopping_says_what_it_removes(demo):
    terminal = _api(demo, "/api/terminals", "POST", {})
    said = _terminal(demo, terminal["name"], 'jupyter-awsrole mfa-code; echo EXIT-$?-DO""NE', "-DONE")
    assert "EXIT-0-DONE" in said, said
    assert re.search(r"\r\d{6}\r\n", said), said  # the code, found on the terminal's PATH
    _api(
        demo,
        "/api/contents/mine.ipynb",
        "PUT",
        {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}},
    )
    assert "removed when the demo stops; keep your work with --dir" in demo.banner
    assert demo.stop(signal.SIGINT) == 0
    assert "mine.ipynb" in demo.said_at_stop and "--dir" in demo.said_at_stop
    assert not demo.root.exists()


STOP_BOUND = 30.0


def test_ctrl_c_stops_a_demo_started_in_the_background_by_a_script():
    demo = DemoProcess(ignore_sigint=True)  # SIGINT inherited as ignored
    started = time.monotonic()
    try:
        code = demo.stop(signal.SIGINT, timeout=STOP_BOUND)
    except subprocess.TimeoutExpired:
        demo.stop(signal.SIGTERM)
        pytest.fail(f"SIGINT did not stop the demo within {STOP_BOUND:.0f} s")
    print(f"stopped by SIGINT in {time.monotonic() - started:.1f} s")
    assert code == 0
    assert demo.leftovers() == []
    assert not demo.root.exists()


def _secrets_of_demo(demo) -> set[str]:
    found = set(json.loads((demo.state_dir / "env.json").read_text()).values())
    for line in (demo.state_dir / "credentials").read_text().splitlines():
        if " = " in line:
            found.add(line.split(" = ", 1)[1].strip())
    for path in (demo.root / "home" / ".aws" / "cli" / "cache").glob("*.json"):
        creds = json.loads(path.read_text())["Credentials"]
        found.update(creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
    return found


def test_picker_in_chromium_then_the_saved_notebook_holds_no_secret(demo, page, tmp_path):
    page.goto(demo.url.replace("01-quickstart.ipynb", "02-role-picker.ipynb"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.locator(".jp-Cell.jp-CodeCell").first.click()
    page.keyboard.press("Shift+Enter")
    search = page.get_by_placeholder("Type to filter profiles")
    search.wait_for(timeout=60_000)
    search.fill("marketing")
    page.wait_for_selector(".jupyter-widgets select option:has-text('marketingadmin')", timeout=30_000)
    page.locator(".jupyter-widgets select").first.select_option("marketingadmin")
    code_box = page.get_by_placeholder("MFA code, then Enter")
    code_box.wait_for(state="visible", timeout=30_000)
    code = demo.mfa_code()
    code_box.fill(code)
    code_box.press("Enter")
    status = page.locator(".jupyter-awsrole-status").first
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jupyter-awsrole-status')].some(e => e.textContent.includes('marketingadminrole'))",
        timeout=30_000,
    )
    assert "123456789012" in status.inner_text()
    assert page.locator(".jupyter-awsrole-countdown").count() >= 1
    assert code_box.input_value() == ""
    page.keyboard.press("Control+s")
    notebook = demo.root / "notebooks" / "02-role-picker.ipynb"
    page.wait_for_function(
        "() => !document.title.startsWith('*') && !document.querySelector('.jp-mod-dirty')", timeout=30_000
    )
    page.wait_for_timeout(500)
    saved = notebook.read_text()
    assert "application/vnd.jupyter.widget-state+json" in saved  # widget state was saved...
    secrets = _secrets_of_demo(demo) | {code}
    assert len(secrets) >= 6
    assert_no_leak(secrets, saved, "the saved notebook")  # ...and holds none
