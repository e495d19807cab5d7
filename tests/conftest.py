"""Shared fixtures: one local AWS per test session, real kernels pointed at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_awsrole.localaws import LocalAws
from jupyter_awsrole.sandbox_env import sandbox_environment
from tests.support.kernel import Kernel


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    aws = LocalAws.start(tmp_path_factory.mktemp("localaws"))
    yield aws
    aws.stop()


@pytest.fixture
def kernel_env(local_aws, tmp_path):
    return sandbox_environment(local_aws.env(), tmp_path / "home")


@pytest.fixture
def kernel(kernel_env, tmp_path):
    k = Kernel(kernel_env, cwd=str(tmp_path))
    yield k
    k.stop()


@pytest.fixture
def home(kernel_env) -> Path:
    return Path(kernel_env["HOME"])
