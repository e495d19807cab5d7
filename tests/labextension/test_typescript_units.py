"""The lab extension's own unit tests (labextension/test/*.test.ts: the switcher's state machine, the item's words),
run by `jlpm test` with Node's built-in test runner: no test framework to install, nothing downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2] / "labextension"


def test_jlpm_test_passes():
    jlpm = shutil.which("jlpm") or os.path.join(os.path.dirname(sys.executable), "jlpm")
    if not os.path.exists(jlpm) or not (LAB / "node_modules" / "typescript").is_dir():
        pytest.fail("jlpm and labextension/node_modules are needed: `make test` installs them")
    done = subprocess.run([jlpm, "test"], cwd=LAB, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout
