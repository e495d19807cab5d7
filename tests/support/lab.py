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


def browse(steps: Callable[[Any], None]) -> None:
    """Run steps(page) in a Chromium of its own, on a thread of its own.

    The demo tests' session-wide Playwright keeps its event loop on the main thread, where a second
    sync Playwright refuses to start; a thread gives this one a loop of its own whatever ran before.
    """
    from playwright.sync_api import sync_playwright

    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    steps(browser.new_context(viewport=VIEWPORT).new_page())
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised on the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="chromium", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


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
