"""JupyterLab or Notebook 7 on a folder of notebooks, against a local AWS of its own."""

from __future__ import annotations

import pytest

from tests.support.lab import SandboxServer


@pytest.fixture
def lab(tmp_path):
    server = SandboxServer("jupyterlab", tmp_path)
    yield server
    server.stop()


@pytest.fixture
def notebook7(tmp_path):
    server = SandboxServer("notebook", tmp_path)
    yield server
    server.stop()
