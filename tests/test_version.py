"""One version: pyproject reads labextension/package.json, __version__ reads the installed metadata."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

import jupyter_awsrole

ROOT = Path(__file__).resolve().parents[1]


def test_the_lab_extension_and_the_python_package_have_one_version():
    npm = json.loads((ROOT / "labextension" / "package.json").read_text())["version"]
    assert jupyter_awsrole.__version__ == version("jupyter-awsrole") == npm, (
        "reinstall (`pip install -e .`) after changing labextension/package.json's version"
    )


def test_no_other_file_spells_the_version_out():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in project["dynamic"] and "version" not in project
    assert "__version__ =" not in (ROOT / "jupyter_awsrole" / "__init__.py").read_text()
