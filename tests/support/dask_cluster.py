"""A real Dask cluster for tests and the benchmark: `dask scheduler` and `dask worker` processes on 127.0.0.1,
each with a clean environment (a HOME of its own, no AWS credentials, only the local AWS's endpoint and a region)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from jupyter_awsrole.localaws.launcher import _terminate

START_TIMEOUT = 60.0


def clean_environment(local_aws_endpoint: str, home: Path) -> dict[str, str]:
    """What a worker on another machine would have: no AWS_* credentials, no AWS config, the endpoint and a region."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ENDPOINT_URL": local_aws_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance metadata here: fail at once instead of after a timeout
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    for name in ("PYTHONPATH", "LANG", "LC_ALL", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class DaskCluster:
    """A scheduler and workers as separate processes; `logs()` is everything they wrote."""

    def __init__(self, folder: Path, local_aws_endpoint: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.env = clean_environment(local_aws_endpoint, self.folder / "home")
        self.scheduler_file = self.folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.address = ""

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        bin_dir = os.path.dirname(sys.executable)
        with open(self.folder / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [os.path.join(bin_dir, "dask"), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.folder,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def start_scheduler(self) -> str:
        """Start `dask scheduler` and wait for its address."""
        self.scheduler_file.unlink(missing_ok=True)
        process = self._spawn(
            "scheduler",
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(self.scheduler_file),
            ],
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.scheduler_file.exists():
                try:
                    self.address = json.loads(self.scheduler_file.read_text())["address"]
                    return self.address
                except (ValueError, KeyError):
                    pass
            if process.poll() is not None:
                raise RuntimeError(f"dask scheduler exited with {process.returncode}")
            time.sleep(0.05)
        raise TimeoutError("dask scheduler did not start")

    def start_worker(self, name: str) -> subprocess.Popen:
        """Start one `dask worker` (one process, one thread, no nanny); the caller waits for it to join."""
        return self._spawn(
            name,
            [
                "worker",
                self.address,
                "--host",
                "127.0.0.1",
                "--name",
                name,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
            ],
        )

    @staticmethod
    def stop_process(process: subprocess.Popen) -> None:
        """SIGTERM, then SIGKILL after 10 s: as the local AWS is stopped."""
        _terminate(process)

    def stop(self) -> None:
        """Workers first, then the scheduler, each by its PID."""
        for process in reversed(self.processes):
            self.stop_process(process)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log")))
