"""The state directory's layout and atomic writes, so readers never see half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE = "localaws.json"
CONFIG = "config"
CREDENTIALS = "credentials"
MFA_SEED = "mfa-seed"
ENV = "env.json"
LOG = "localaws.log"


def write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write text to path via a temporary file and rename; mode is set before any byte lands."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    """Write a JSON document atomically."""
    write_atomic(path, json.dumps(data, indent=2) + "\n", mode)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON document at path, or None while it does not exist yet."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
