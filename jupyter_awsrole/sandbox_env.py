"""The environment of a child process (local AWS, kernel, Jupyter server) that must see the sandbox, never the user's
AWS settings or home: the one builder for the demo, the tests and the benchmarks."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def sandbox_environment(
    aws_env: Mapping[str, str] | None = None, home: Path | None = None, *, isolate_jupyter: bool = False
) -> dict[str, str]:
    """This process's environment without any AWS_* variable, this interpreter's scripts first on PATH; with
    `aws_env` (LocalAws.env()) the local AWS's variables; with `home` a HOME and IPYTHONDIR of its own (created);
    with `isolate_jupyter` no JUPYTER_* or IPYTHON* variable from outside either."""
    dropped = ("AWS_", "JUPYTER_", "IPYTHON") if isolate_jupyter else ("AWS_",)
    env = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    env.update(aws_env or {})
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env
