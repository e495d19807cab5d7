"""The demo started exactly as the README's first command starts it, and Debian's Chromium to drive it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyter_awsrole.demo import free_port, processes_mentioning
from tests.conftest import clean_environ

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _ignore_sigint() -> None:
    """What `cmd &` in a non-interactive shell does to the job it starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class DemoProcess:
    """`jupyter-awsrole demo` as a child process, with its printed URL and MFA command."""

    def __init__(self, ignore_sigint: bool = False) -> None:
        env = clean_environ()
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        self.process = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "jupyter-awsrole"), "demo",
             "--port", str(free_port()), "--no-browser"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, stdin=subprocess.DEVNULL,
            preexec_fn=_ignore_sigint if ignore_sigint else None,
        )
        self.banner = ""
        deadline = time.monotonic() + 120
        while "Stop:" not in self.banner:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the demo ended before it was ready:\n{self.banner}")
            self.banner += line
            assert time.monotonic() < deadline, self.banner
        self.url = re.search(r"JupyterLab:\s+(\S+)", self.banner).group(1)
        self.state_dir = Path(re.search(r"--state-dir (\S+)", self.banner).group(1))
        self.root = self.state_dir.parent  # the demo's temporary folder

    def mfa_code(self) -> str:
        command = [os.path.join(os.path.dirname(sys.executable), "jupyter-awsrole"), "mfa-code",
                   "--state-dir", str(self.state_dir)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    def leftovers(self) -> list[str]:
        """Command lines of processes that still mention the demo's folder."""
        lines = []
        for pid in processes_mentioning(str(self.root)):
            try:
                lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue
        return lines

    def stop(self, signum: int = signal.SIGINT, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        code = self.process.wait(timeout)
        self.process.stdout.close()
        return code


@pytest.fixture
def demo():
    running = DemoProcess()
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
