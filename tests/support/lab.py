"""JupyterLab or Notebook 7 against a local AWS of its own, notebooks to open in it, and a Chromium to drive it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

from jupyter_awsrole.jupyter_server import JupyterServer
from jupyter_awsrole.localaws import LocalAws
from tests.support.browser import VIEWPORT, launch

WHOAMI = 'import boto3\nboto3.client("sts").get_caller_identity()["Arn"]'
ROLE_TEXT = r"^AWS: {profile} @ 123456789012 · (\d+m|\d+h \d\dm)$"
TIMEOUT = 60_000


def browse(steps: Callable[[Any], None], failure: Path | None = None) -> None:
    """Run steps(page) in a Chromium of its own, on a thread of its own (a screenshot to `failure` if they fail).

    The demo tests' session-wide Playwright keeps its event loop on the main thread, where a second
    sync Playwright refuses to start; a thread gives this one a loop of its own whatever ran before.
    """
    from playwright.sync_api import sync_playwright

    failed: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_context(viewport=VIEWPORT).new_page()
                try:
                    steps(page)
                except BaseException:
                    if failure is not None:
                        page.screenshot(path=str(failure))
                    raise
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised on the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="chromium", daemon=True)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def write_notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


class SandboxServer(JupyterServer):
    """The package's JupyterServer, started at once on `root`, its kernels pointed at a private local AWS."""

    def __init__(self, app: str, root: Path) -> None:
        self.aws = LocalAws.start(root / "aws")
        super().__init__(app, root, self.aws.env())
        try:
            self.start()
        except BaseException:
            self.aws.stop()
            raise

    def mfa_code(self) -> str:
        return self.aws.mfa_code()

    def wrong_mfa_code(self) -> str:
        return self.aws.wrong_mfa_code()

    def stop(self, grace: float = 30) -> None:
        super().stop(grace)
        self.aws.stop()


def wait_text(page, selector: str, pattern: str, timeout: int = TIMEOUT) -> None:
    """Until some visible element matching selector has text matching the regular expression."""
    try:
        page.wait_for_function(
            """([selector, pattern]) => [...document.querySelectorAll(selector)]
                 .some(e => e.offsetParent !== null && new RegExp(pattern).test(e.textContent.trim()))""",
            arg=[selector, pattern],
            timeout=timeout,
        )
    except Exception:
        shown = page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")
        raise AssertionError(f"{selector} never matched {pattern!r}; it shows {shown}") from None


def run_cell(page, index: int, expect: str) -> str:
    """Run the index-th cell of the visible notebook; return its output once it contains expect."""
    cell = page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-CodeCell").nth(index)
    prompt = cell.locator(".jp-InputArea-prompt")
    for _ in range(3):  # a notebook just opened may drop a run sent before its kernel is connected
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "p => !/^\\[ \\]:$/.test(p.textContent.trim())", arg=prompt.element_handle(), timeout=10_000
            )
            break
        except Exception:
            continue
    output = cell.locator(".jp-OutputArea-output", has_text=expect)
    output.first.wait_for(timeout=TIMEOUT)
    return cell.inner_text()


def palette(page, label: str) -> None:
    page.keyboard.press("Control+Shift+c")
    page.locator(".lm-CommandPalette-input").fill(label)
    page.locator(".lm-CommandPalette-item", has_text=label).first.click()


def wait_idle(page) -> None:
    page.wait_for_selector(
        ".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=TIMEOUT
    )
