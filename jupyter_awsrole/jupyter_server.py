"""JupyterLab or Notebook 7 on 127.0.0.1 in a sandbox folder: the one way the demo and the tests start a server."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from .loopback import DIRECT, free_port
from .sandbox_env import sandbox_environment

TITLES = {"jupyterlab": "JupyterLab", "notebook": "Notebook 7"}
NO_NEWS = {"@jupyterlab/apputils-extension/notification": '{"fetchNews": "false"}'}


class JupyterServer:
    """`python -m jupyterlab` or `python -m notebook` serving `root`/notebooks, with HOME, Jupyter's folders and
    lab settings under `root` and only the local AWS's variables; `stop` ends it and, through it, its kernels."""

    def __init__(
        self,
        app: str,
        root: Path,
        aws_env: Mapping[str, str],
        *,
        port: int = 0,
        open_browser: bool = False,
        default_url: str | None = None,
        lab_settings: Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.root = Path(root)
        self.notebooks = self.root / "notebooks"
        self.port = port or free_port()
        self.token = secrets.token_urlsafe(24)
        self.log = self.root / f"{app}.log"
        self.open_browser = open_browser
        self.default_url = default_url
        self.lab_settings = {**NO_NEWS, **(lab_settings or {})}
        self.env = sandbox_environment(aws_env, self.root / "home", isolate_jupyter=True)
        self.env.update(
            JUPYTER_CONFIG_DIR=str(self.root / "jupyter-config"),
            JUPYTER_RUNTIME_DIR=str(self.root / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.root / "lab-settings"),
            **(extra_env or {}),
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """The server's root URL; pages and the API need `?token=` + self.token."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The server's command line: loopback only, this token, no browser unless asked, no update checks."""
        command = [
            sys.executable,
            "-m",
            self.app,
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.notebooks}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.open_browser={self.open_browser}",
        ]
        if self.default_url:
            command.append(f"--LabApp.default_url={self.default_url}")
        if self.app == "jupyterlab":
            command += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        return command

    def _write_lab_settings(self) -> None:
        """JupyterLab reads these instead of the user's own settings: no news prompt, and what the caller adds."""
        for plugin, body in self.lab_settings.items():
            path = self.root / "lab-settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body + "\n")

    def start(self, timeout: float = 90) -> None:
        """Start the server and wait until it answers; on failure it is stopped and the error names its log."""
        self.notebooks.mkdir(parents=True, exist_ok=True)
        self._write_lab_settings()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=self.notebooks,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stop() reaches its kernels
            )
        title = TITLES.get(self.app, self.app)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{title} exited at start; see {self.log}\n{self._log_tail()}")
            try:
                with DIRECT.open(f"{self.base}/api/status?token={self.token}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"{title} did not start in time; see {self.log}\n{self._log_tail()}")

    def running(self) -> bool:
        """Whether the server process is alive (the demo runs until it is not)."""
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 30) -> None:
        """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL after `grace` seconds."""
        if not self.running():
            return
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except OSError:
            return
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            self.process.wait()

    def _log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for an error message that shows why it did not start."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
