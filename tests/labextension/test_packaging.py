"""The wheel carries the prebuilt lab extension: installed into a fresh virtualenv, JupyterLab lists it, no node needed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARE = "share/jupyter/labextensions/jupyter-awsrole"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, cwd=ROOT, timeout=240)
    (built,) = out.glob("jupyter_awsrole-*.whl")
    return built


def test_the_wheel_holds_the_prebuilt_extension_where_jupyter_looks(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    data = f"jupyter_awsrole-{version('jupyter-awsrole')}.data/data/{SHARE}"
    assert f"{data}/package.json" in names
    assert f"{data}/install.json" in names
    assert any(re.fullmatch(rf"{re.escape(data)}/static/remoteEntry\.[0-9a-f]+\.js", n) for n in names)
    assert f"{data}/static/style.js" in names
    package = json.loads(zipfile.ZipFile(wheel).read(f"{data}/package.json"))
    assert package["name"] == "jupyter-awsrole"
    assert package["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
    install = json.loads(zipfile.ZipFile(wheel).read(f"{data}/install.json"))
    assert install["packageManager"] == "python" and install["packageName"] == "jupyter-awsrole"
    assert not [n for n in names if "node_modules" in n or n.endswith(".ts")]


def test_a_fresh_virtualenv_lists_the_extension_enabled_and_ok_without_node(wheel, tmp_path):
    venv = tmp_path / "venv"
    base_python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel), f"jupyterlab=={version('jupyterlab')}"], check=True, timeout=280)

    path = str(venv / "bin") + os.pathsep + "/usr/bin/no-node-here"
    env = {"PATH": path, "HOME": str(tmp_path / "home"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data"), "LANG": "C.UTF-8"}
    assert shutil.which("node", path=path) is None
    listed = subprocess.run([str(venv / "bin" / "jupyter"), "labextension", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)
    assert listed.returncode == 0, text
    line = next((l for l in text.splitlines() if "jupyter-awsrole" in l), "")
    release = re.escape(version("jupyter-awsrole"))
    assert re.search(rf"jupyter-awsrole v{release} enabled\s+OK \(python, jupyter-awsrole\)", line), text
    assert (venv / SHARE / "static" / "style.js").is_file()
