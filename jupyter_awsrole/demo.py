"""`jupyter-awsrole demo`: a local AWS, a sandbox AWS config and JupyterLab on the demo notebooks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from .jupyter_server import JupyterServer
from .localaws import LocalAws

DEMO_DIR_VARIABLE = "JUPYTER_AWSROLE_DEMO_DIR"
FIRST_NOTEBOOK = "01-quickstart.ipynb"
# Widget state saved with the notebook, to show it holds no secret.
SAVE_WIDGET_STATE = {"@jupyter-widgets/jupyterlab-manager/plugin": '{"saveState": true}'}


def terminal_settings() -> dict:
    """Terminals run the user's shell as is, not as a login shell: a login shell's /etc/profile would reset PATH,
    and `jupyter-awsrole mfa-code` must be found there (the server's PATH starts with this Python's scripts)."""
    shell = os.environ.get("SHELL") or shutil.which("bash") or shutil.which("sh") or "sh"
    return {"ServerApp": {"terminado_settings": {"shell_command": [shell]}}}


def notebooks_source() -> Path:
    """The demo notebooks: packaged in a wheel, or the checkout's notebooks/ folder."""
    packaged = Path(__file__).parent / "_notebooks"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "notebooks"


class Demo:
    """Everything the demo runs; `stop` ends every process it started and removes its folder."""

    def __init__(self, root: Path | None = None, port: int = 0, open_browser: bool = False) -> None:
        self._temporary = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="jupyter-awsrole-demo-")).resolve()
        self._port = port
        self.open_browser = open_browser
        self.aws: LocalAws | None = None
        self.lab: JupyterServer | None = None

    @property
    def temporary(self) -> bool:
        """Whether stopping removes the folder (no --dir was given)."""
        return self._temporary

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def url(self) -> str:
        assert self.lab is not None
        return f"{self.lab.base}/lab/tree/{FIRST_NOTEBOOK}?token={self.lab.token}"

    def start(self, timeout: float = 90) -> None:
        """Start the local AWS, copy the notebooks, start JupyterLab and wait until it answers."""
        self.aws = LocalAws.start(self.root / "aws")
        if not self.notebooks.exists():
            shutil.copytree(notebooks_source(), self.notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        config = self.root / "jupyter-config"  # the server's JUPYTER_CONFIG_DIR (jupyter_server.py)
        config.mkdir(parents=True, exist_ok=True)
        (config / "jupyter_server_config.json").write_text(json.dumps(terminal_settings(), indent=1) + "\n")
        self.lab = JupyterServer(
            "jupyterlab",
            self.root,
            self.aws.env(),
            port=self._port,
            open_browser=self.open_browser,
            default_url=f"/lab/tree/{FIRST_NOTEBOOK}",
            lab_settings=SAVE_WIDGET_STATE,
            extra_env={DEMO_DIR_VARIABLE: str(self.aws.state_dir)},
        )
        try:
            self.lab.start(timeout)
        except Exception:  # Ctrl-C goes up to run(), which stops everything with further signals ignored
            self.stop()
            raise

    def own_notebooks(self) -> list[str]:
        """Notebooks in the demo's folder that are not the demo's own: the user's work."""
        shipped = {path.name for path in notebooks_source().glob("*.ipynb")}
        found = self.notebooks.rglob("*.ipynb") if self.notebooks.is_dir() else ()
        return sorted(
            str(path.relative_to(self.notebooks))
            for path in found
            if ".ipynb_checkpoints" not in path.parts and path.name not in shipped
        )

    def removal_notice(self) -> str:
        """What stopping deletes, said before it is deleted: a temporary folder and any notebook written there."""
        if not self._temporary:
            return f"Your files stay in {self.root}."
        mine = self.own_notebooks()
        lost = f" with your notebooks {', '.join(mine)}" if mine else ""
        return (
            f"Removing the demo folder {self.root}{lost}.\n"
            "To keep your work next time: jupyter-awsrole demo --dir FOLDER"
        )

    def processes(self) -> list[int]:
        """PIDs of every process still running that belongs to this demo (server, kernels, local AWS)."""
        return processes_mentioning(str(self.root))

    def stop(self) -> None:
        """Stop JupyterLab (it shuts its kernels down), then the local AWS; then sweep and clean up."""
        if self.lab is not None:
            self.lab.stop(grace=20)
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
            "               (in JupyterLab: File > New > Terminal, then jupyter-awsrole mfa-code)\n"
            f"  Notebooks:   {demo.notebooks}\n"
            + (
                "               (removed when the demo stops; keep your work with --dir FOLDER)\n"
                if demo.temporary
                else ""
            )
            + "  Stop:        Ctrl-C\n",
            flush=True,
        )
        while demo.lab is not None and demo.lab.running():
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the demo...", flush=True)
        return 0
    finally:
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        if demo.lab is not None:
            print(demo.removal_notice(), flush=True)
        demo.stop()
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
