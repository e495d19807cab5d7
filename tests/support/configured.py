"""A real kernel on the sandbox config plus a test's own profiles."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support.cells import extend_config
from tests.support.kernel import Kernel


@contextlib.contextmanager
def kernel_with_profiles(kernel_env: dict[str, str], local_aws: Any, folder: Path, text: str) -> Iterator[Kernel]:
    """A kernel whose AWS config is the sandbox's plus `text`, started in `folder` and stopped after."""
    extend_config(kernel_env, local_aws, folder, text)
    kernel = Kernel(kernel_env, cwd=str(folder))
    try:
        yield kernel
    finally:
        kernel.stop()
