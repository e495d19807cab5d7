"""Shared fixtures: one local AWS per test session, real kernels pointed at it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from jupyter_awsrole.localaws import LocalAws
from tests.support.kernel import Kernel


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    aws = LocalAws.start(tmp_path_factory.mktemp("localaws"))
    yield aws
    aws.stop()


def clean_environ() -> dict[str, str]:
    """This process's environment without any AWS_* variable, so nothing leaks into a test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


@pytest.fixture
def kernel_env(local_aws, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = clean_environ()
    env.update(local_aws.env())
    env.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"), PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
    return env


@pytest.fixture
def kernel(kernel_env, tmp_path):
    k = Kernel(kernel_env, cwd=str(tmp_path))
    yield k
    k.stop()


@pytest.fixture
def home(kernel_env) -> Path:
    return Path(kernel_env["HOME"])
