"""Starts the local AWS as a child process and gives tests and the demo what they need to use it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from ..loopback import DIRECT
from ..sandbox_env import sandbox_environment
from ..settings import SIGNIN_URL_VARIABLE
from . import files, totp

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class LocalAws:
    """A running local AWS (moto + MFA gate) with its sandbox files in state_dir."""

    def __init__(self, state_dir: Path, process: subprocess.Popen, state: dict[str, Any]) -> None:
        self.state_dir = state_dir
        self.endpoint: str = state["endpoint"]
        self.sso_endpoint: str = state["sso_endpoint"]  # the IAM Identity Center stand-in (sso_standin.py)
        self.signin_url: str = state["signin_url"]  # the federation endpoint's stand-in (federation_standin.py)
        self.account_id: str = state["account_id"]
        self.mfa_serial: str = state["mfa_serial"]
        self.pid: int = state["pid"]
        self.config_file = state_dir / files.CONFIG
        self.credentials_file = state_dir / files.CREDENTIALS
        self._process = process
        self._seed = (state_dir / files.MFA_SEED).read_text().strip()

    @classmethod
    def start(cls, state_dir: Path, timeout: float = START_TIMEOUT) -> LocalAws:
        """Start the server and wait until it has announced itself ready."""
        state_dir = Path(state_dir).resolve()
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / files.STATE).unlink(missing_ok=True)
        env = sandbox_environment()
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        with open(state_dir / files.LOG, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyter_awsrole.localaws", "serve", "--state-dir", str(state_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # a Ctrl-C in the parent's terminal is not meant for the server
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = files.read_json(state_dir / files.STATE)
            if state and state.get("ready") and state.get("pid") == process.pid:
                return cls(state_dir, process, state)
            if process.poll() is not None:
                raise RuntimeError(f"localaws exited with {process.returncode}:\n{_tail(state_dir / files.LOG)}")
            time.sleep(0.05)
        _terminate(process)
        raise TimeoutError(f"localaws not ready after {timeout:.0f} s:\n{_tail(state_dir / files.LOG)}")

    def mfa_code(self) -> str:
        """A code of user1's MFA device that the server accepts now and has not seen or handed out before."""
        return hand_out_code(self.endpoint)

    def wrong_mfa_code(self) -> str:
        """A six-digit code that the server will not accept now."""
        return totp.wrong_code(self._seed, self._control("GET", "/localaws/mfa")["window"])

    def allow_mfa_reuse(self, allowed: bool) -> None:
        """Let a used code pass again (only for benchmarks timing one code in a loop; AWS never does)."""
        self._control("POST", "/localaws/mfa", {"allow_reuse": allowed})

    def env(self) -> dict[str, str]:
        """AWS_* variables for a process using the sandbox; merge over an environment without AWS_* of its own."""
        keys = json.loads((self.state_dir / files.ENV).read_text())
        return {
            "AWS_CONFIG_FILE": str(self.config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_file),
            "AWS_ENDPOINT_URL": self.endpoint,
            # Identity Center's two services are the stand-in's; service-specific endpoints beat AWS_ENDPOINT_URL.
            "AWS_ENDPOINT_URL_SSO_OIDC": self.sso_endpoint,
            "AWS_ENDPOINT_URL_SSO": self.sso_endpoint,
            SIGNIN_URL_VARIABLE: self.signin_url,  # AwsRole.signin_url's default: console links go to the stand-in
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
            **keys,
        }

    def stats(self) -> dict:
        """STS calls per Action and MFA checks since start or the last reset."""
        return self._control("GET", "/localaws/stats")

    def reset_stats(self) -> None:
        self._control("POST", "/localaws/stats/reset")

    def set_fault(self, sts: str) -> None:
        """Make STS answer normally ("ok"), with Throttling ("throttle"), or only after up to 60 s ("hang")."""
        self._control("POST", "/localaws/faults", {"sts": sts})

    def sso(self, method: str, path: str, payload: dict | None = None) -> dict:
        """A call to the SSO stand-in's controls: `sso("GET", "pending")`, `sso("POST", "approve", {...})`."""
        return _call(self.sso_endpoint + "/standin/" + path, method, payload)

    def federation(self, method: str, path: str) -> dict:
        """A call to the federation stand-in's controls: `federation("GET", "stats")`, `("POST", "advance?seconds=901")`."""
        return _call(self.signin_url.rsplit("/", 1)[0] + "/standin/" + path, method, None if method == "GET" else {})

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        _terminate(self._process)

    def __enter__(self) -> LocalAws:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _control(self, method: str, path: str, payload: dict | None = None) -> dict:
        return _call(self.endpoint + path, method, payload)


def hand_out_code(endpoint: str) -> str:
    """A fresh code of user1's device from the local AWS at endpoint (a used code is refused, as in AWS)."""
    return str(_call(endpoint + "/localaws/mfa/code", "POST", {})["code"])


def state_endpoint(state_dir: Path) -> str:
    """The endpoint of the local AWS that announced itself in state_dir."""
    state = files.read_json(Path(state_dir) / files.STATE)
    if not state or not state.get("ready"):
        raise RuntimeError(f"no local AWS is running for {state_dir}")
    return str(state["endpoint"])


def _call(url: str, method: str, payload: dict | None) -> dict:
    body = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    with DIRECT.open(request, timeout=10) as response:
        return json.loads(response.read())


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
