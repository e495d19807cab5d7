"""Code the tests run in kernels, and the sandbox config with a test's own profiles added."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

WHOAMI = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
AWS_ENV = "import os, json; print(json.dumps({k: v for k, v in sorted(os.environ.items()) if k.startswith('AWS_')}))"


def extend_config(kernel_env: dict[str, str], local_aws, folder: Path, text: str) -> Path:
    """Point the kernel at the sandbox config plus `text` (more profiles); returns the new file."""
    path = Path(folder) / "config-extended"
    path.write_text(Path(local_aws.config_file).read_text() + text)
    kernel_env["AWS_CONFIG_FILE"] = str(path)
    return path


def env_digest(kernel: Any) -> str:
    """The kernel's AWS_* variables as a digest: a failed comparison must not print credentials."""
    return hashlib.sha256(kernel.run(AWS_ENV).ok().stdout.encode()).hexdigest()
