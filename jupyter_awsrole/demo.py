"""`jupyter-awsrole demo`: a local AWS, a sandbox AWS config and JupyterLab on the demo notebooks."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .localaws import LocalAws

DEMO_DIR_VARIABLE = "JUPYTER_AWSROLE_DEMO_DIR"
FIRST_NOTEBOOK = "01-quickstart.ipynb"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def notebooks_source() -> Path:
    """The demo notebooks: packaged in a wheel, or the checkout's notebooks/ folder."""
    packaged = Path(__file__).parent / "_notebooks"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "notebooks"


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Demo:
    """Everything the demo runs; `stop` ends every process it started and removes its folder."""

    def __init__(self, root: Path | None = None, port: int = 0, open_browser: bool = False) -> None:
        self._temporary = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="jupyter-awsrole-demo-")).resolve()
        self.port = port or free_port()
        self.open_browser = open_browser
        self.token = secrets.token_urlsafe(24)
        self.aws: LocalAws | None = None
        self.lab: subprocess.Popen | None = None

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{FIRST_NOTEBOOK}?token={self.token}"

    def environment(self) -> dict[str, str]:
        """JupyterLab's environment: the sandbox AWS only, and a HOME of its own so ~/.aws stays untouched."""
        assert self.aws is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JUPYTER_", "IPYTHON"))}
        env.update(self.aws.env())
        home = self.root / "home"
        home.mkdir(exist_ok=True)
        bin_dir = os.path.dirname(sys.executable)
        env.update(
            HOME=str(home),
            IPYTHONDIR=str(home / ".ipython"),
            JUPYTER_CONFIG_DIR=str(self.root / "jupyter-config"),
            JUPYTER_RUNTIME_DIR=str(self.root / "runtime"),
            PATH=bin_dir + os.pathsep + env.get("PATH", ""),
        )
        env[DEMO_DIR_VARIABLE] = str(self.aws.state_dir)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self._lab_settings())
        return env

    def _lab_settings(self) -> Path:
        """The demo's JupyterLab settings: no news prompt; widget state saved, to show it holds no secret."""
        settings = self.root / "lab-settings"
        for plugin, body in (
            ("@jupyterlab/apputils-extension/notification", '{"fetchNews": "false"}'),
            ("@jupyter-widgets/jupyterlab-manager/plugin", '{"saveState": true}'),
        ):
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body + "\n")
        return settings

    def start(self, timeout: float = 90) -> None:
        """Start the local AWS, copy the notebooks, start JupyterLab and wait until it answers."""
        self.aws = LocalAws.start(self.root / "aws")
        if not self.notebooks.exists():
            shutil.copytree(notebooks_source(), self.notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        command = [
            sys.executable, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.notebooks}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.open_browser={self.open_browser}",
            f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        log = open(self.root / "jupyterlab.log", "ab")
        self.lab = subprocess.Popen(
            command, env=self.environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=self.notebooks,
        )
        log.close()
        deadline = time.monotonic() + timeout
        status = f"http://127.0.0.1:{self.port}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.lab.poll() is not None:
                self.stop()
                raise RuntimeError(f"JupyterLab exited at start; see {self.root / 'jupyterlab.log'}")
            try:
                with _DIRECT.open(status, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError("JupyterLab did not start in time")

    def processes(self) -> list[int]:
        """PIDs of every process still running that belongs to this demo (server, kernels, local AWS)."""
        return processes_mentioning(str(self.root))

    def stop(self) -> None:
        """Stop JupyterLab (it shuts its kernels down), then the local AWS; then sweep and clean up."""
        if self.lab is not None and self.lab.poll() is None:
            _end(self.lab, grace=20)
        for pid in self.processes():
            if self.aws is not None and pid == self.aws.pid:
                continue
            with _suppress():
                os.kill(pid, signal.SIGKILL)
        if self.aws is not None:
            self.aws.stop()
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def processes_mentioning(text: str) -> list[int]:
    """PIDs of other processes whose command line or environment holds `text` (Linux /proc)."""
    marker = text.encode()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes() or marker in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


def _end(process: subprocess.Popen, grace: float) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except OSError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with _suppress():
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run(root: Path | None, port: int, open_browser: bool) -> int:
    """The demo in the foreground until Ctrl-C or SIGTERM."""
    demo = Demo(root, port, open_browser)
    # Set both explicitly: a shell starting us in the background hands SIGINT down as ignored.
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        demo.start()
        assert demo.aws is not None
        print(
            "\njupyter-awsrole demo is running against a local AWS (no AWS account involved).\n"
            f"  JupyterLab:  {demo.url}\n"
            f"  MFA code:    jupyter-awsrole mfa-code --state-dir {demo.aws.state_dir}\n"
            "               (in a notebook: !jupyter-awsrole mfa-code)\n"
            "  Stop:        Ctrl-C\n",
            flush=True,
        )
        while demo.lab is not None and demo.lab.poll() is None:
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the demo...", flush=True)
        return 0
    finally:
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        demo.stop()
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
