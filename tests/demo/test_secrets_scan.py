"""Run every demo notebook in Chromium, save them with widget state, then scan all the demo wrote for secrets."""

from __future__ import annotations

import json
import re
import stat
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

NOTEBOOKS = [
    "01-quickstart.ipynb",
    "02-role-picker.ipynb",
    "03-chains-and-sources.ipynb",
    "04-pandas-and-s3.ipynb",
    "06-beyond-the-notebook.ipynb",
]  # not 05: its sign-in waits for a click on the SSO stand-in's page
AWS_SIDE = {"credentials", "env.json", "mfa-seed"}  # the local AWS's own sandbox files, secret by design


def _run_all(page, demo, codes: set[str]) -> None:
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.wait_for_timeout(1000)
    deadline = time.monotonic() + 180
    while True:
        assert time.monotonic() < deadline, "the notebook did not finish"
        box = page.locator("input.jp-Stdin-input")
        if box.count() and box.first.is_visible():
            code = demo.mfa_code()
            codes.add(code)
            try:
                box.first.fill(code, timeout=2000)
                box.first.press("Enter", timeout=2000)
                box.first.wait_for(state="detached", timeout=10_000)
            except PlaywrightTimeout:
                pass  # the box went away under us (answered); the loop looks again
        # Cells scrolled out of a long notebook's window are not drawn (empty prompts); cells run in order, so the
        # drawn ones (the last among them) tell. "[3]:" comes first: the provenance badge follows it in the prompt.
        drawn = page.locator(".jp-Notebook:visible .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        prompts = [p.strip() for p in drawn if p.strip()]
        if prompts and all(re.match(r"\[\d+\]:(\n|$)", p) for p in prompts):
            return
        page.wait_for_timeout(300)


def _use_picker(page, demo, codes: set[str]) -> None:
    search = page.get_by_placeholder("Type to filter profiles").first
    search.fill("marketing")
    page.locator(".jupyter-widgets select").first.select_option("marketingadmin")
    box = page.get_by_placeholder("MFA code, then Enter").first
    page.wait_for_timeout(500)
    if box.is_visible():
        code = demo.mfa_code()
        codes.add(code)
        box.fill(code)
        box.press("Enter")
    else:  # the MFA session the earlier notebook opened spares the code
        page.get_by_role("button", name="Assume").first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jupyter-awsrole-status')]"
        ".some(e => e.textContent.includes('marketingadminrole'))",
        timeout=30_000,
    )


def _use_lab_switcher(page, demo, codes: set[str]) -> None:
    page.locator(".jp-awsrole-status").click()
    dialog = page.locator(".jp-awsrole-dialog")
    dialog.locator(".jp-awsrole-filter").fill("reporting")
    dialog.locator(".jp-awsrole-row[data-profile=reporting]").click()
    page.wait_for_timeout(500)
    code = dialog.locator(".jp-awsrole-code")
    if code.is_visible():
        value = demo.mfa_code()
        codes.add(value)
        code.fill(value)
        code.press("Enter")
    else:
        dialog.get_by_role("button", name="Assume role").click()
    dialog.wait_for(state="detached", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.jp-awsrole-status')?.textContent.includes('reporting')", timeout=30_000
    )


def _save(page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    page.wait_for_timeout(500)


def test_nothing_the_demo_wrote_holds_a_secret(demo, page):
    codes: set[str] = set()
    base = demo.url.split("/lab/")[0]
    token = demo.url.split("token=")[1]
    for index, name in enumerate(NOTEBOOKS):
        # a workspace of its own per notebook, so only that notebook is open in the page
        page.goto(f"{base}/lab/workspaces/scan-{index}/tree/{name}?reset&token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _run_all(page, demo, codes)
        if name.startswith("04"):
            _use_lab_switcher(page, demo, codes)
        if name.startswith("02"):
            try:
                _use_picker(page, demo, codes)
            except Exception:
                page.screenshot(path="/tmp/picker-fail.png")
                raise
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count()
        assert errors == 0, f"{name} showed an error"
        _save(page)

    exported = (demo.state_dir / "config").read_text()  # 06's --export: the demo's AWS_CONFIG_FILE, not ~/.aws
    assert "[profile analyst-jupyter]" in exported and not (demo.root / "home" / ".aws" / "config").exists()

    cache = demo.root / "home" / ".aws" / "cli" / "cache"
    secrets: set[str] = set(json.loads((demo.state_dir / "env.json").read_text()).values())
    for line in (demo.state_dir / "credentials").read_text().splitlines():
        if " = " in line:
            secrets.add(line.split(" = ", 1)[1].strip())
    cached = list(cache.glob("*.json"))
    assert cached
    for path in cached:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        creds = json.loads(path.read_text())["Credentials"]
        secrets.update(creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
    assert codes and len(secrets) >= 10

    scanned, leaks = 0, []
    for path in demo.root.rglob("*"):
        if not path.is_file() or path.parent == cache:
            continue
        if path.parent == demo.state_dir and path.name in AWS_SIDE:
            continue
        data = path.read_bytes()
        scanned += 1
        for secret in secrets | codes:
            if secret.encode() in data:
                leaks.append(f"{path.relative_to(demo.root)}: a {'code' if secret in codes else 'credential'}")
    for path in cached:  # the cache holds credentials by design, never a code
        assert not any(code.encode() in path.read_bytes() for code in codes)
    saved = (demo.root / "notebooks" / "02-role-picker.ipynb").read_text()
    assert "application/vnd.jupyter.widget-state+json" in saved
    assert scanned > 10 and not leaks, leaks
    assert any(p.name == "history.sqlite" for p in demo.root.rglob("history.sqlite"))
