"""JupyterLab or Notebook 7 on a folder of notebooks, against a local AWS of its own, and Chromium to drive it."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from jupyter_awsrole.demo import free_port
from jupyter_awsrole.localaws import LocalAws
from tests.conftest import clean_environ
from tests.demo.conftest import CHROMIUM, CHROMIUM_ARGS

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
WHOAMI = 'import boto3\nboto3.client("sts").get_caller_identity()["Arn"]'


def browse(steps) -> None:
    """Run steps(page) in a Chromium of its own, on a thread of its own.

    The demo tests' session-wide Playwright keeps its event loop on the main thread, where a second
    sync Playwright refuses to start; a thread gives this one a loop of its own whatever ran before.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    steps(browser.new_context(viewport={"width": 1400, "height": 1000}).new_page())
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


class JupyterServer:
    """`python -m jupyterlab` or `python -m notebook` on 127.0.0.1, its kernels pointed at a private local AWS."""

    def __init__(self, app: str, root: Path) -> None:
        self.root = root
        self.aws = LocalAws.start(root / "aws")
        self.notebooks = root / "notebooks"
        self.notebooks.mkdir()
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        home = root / "home"
        home.mkdir()
        settings = root / "lab-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}\n')
        env = {k: v for k, v in clean_environ().items() if not k.startswith(("JUPYTER_", "IPYTHON"))}
        env.update(self.aws.env())
        env.update(
            HOME=str(home), IPYTHONDIR=str(home / ".ipython"),
            JUPYTER_CONFIG_DIR=str(root / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(root / "lab-settings"),
            PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        )
        command = [
            sys.executable, "-m", app,
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.notebooks}", f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
        ]
        if app == "jupyterlab":
            command += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = root / f"{app}.log"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.notebooks, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._wait()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with _DIRECT.open(f"{self.base}/api/status?token={self.token}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def mfa_code(self) -> str:
        return self.aws.mfa_code()

    def wrong_mfa_code(self) -> str:
        return self.aws.wrong_mfa_code()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server's own group: it shuts its kernels down
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.aws.stop()


@pytest.fixture
def lab(tmp_path):
    server = JupyterServer("jupyterlab", tmp_path)
    yield server
    server.stop()


@pytest.fixture
def notebook7(tmp_path):
    server = JupyterServer("notebook", tmp_path)
    yield server
    server.stop()
