"""`jupyter-awsrole demo` as a child process, started exactly as the README's first command starts it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from jupyter_awsrole.demo import processes_mentioning
from jupyter_awsrole.loopback import free_port
from jupyter_awsrole.sandbox_env import sandbox_environment

COMMAND = os.path.join(os.path.dirname(sys.executable), "jupyter-awsrole")


def _ignore_sigint() -> None:
    """What `cmd &` in a non-interactive shell does to the job it starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class DemoProcess:
    """The running demo, with its printed URL and MFA command."""

    def __init__(self, ignore_sigint: bool = False) -> None:
        self.process = subprocess.Popen(
            [COMMAND, "demo", "--port", str(free_port()), "--no-browser"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=sandbox_environment(),
            stdin=subprocess.DEVNULL,
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
        command = [COMMAND, "mfa-code", "--state-dir", str(self.state_dir)]
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
        self.said_at_stop = self.process.stdout.read()  # what the demo printed while stopping
        self.process.stdout.close()
        return code
