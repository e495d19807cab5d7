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


# current() and the kernel's credentials (endpoint or environment) must tell the same story; prints a boolean
# as `consistent <bool>` after `active <profile>`, never a value.
CONSISTENT = (
    "import os, json, urllib.request, jupyter_awsrole\n"
    "s = jupyter_awsrole.current(); c = s.credentials\n"
    "uri = os.environ.get('AWS_CONTAINER_CREDENTIALS_FULL_URI')\n"
    "if uri:\n"
    "    r = urllib.request.Request(uri, headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n"
    "    d = json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(r))\n"
    "    same = (d['AccessKeyId'], d['SecretAccessKey'], d['Token']) == (c.access_key_id, c.secret_access_key,"
    " c.session_token) and 'AWS_ACCESS_KEY_ID' not in os.environ\n"
    "    del d, r  # a verbose traceback of a later cell must not show them\n"
    "else:\n"
    "    same = os.environ.get('AWS_ACCESS_KEY_ID') == c.access_key_id"
    " and os.environ.get('AWS_SECRET_ACCESS_KEY') == c.secret_access_key"
    " and os.environ.get('AWS_SESSION_TOKEN') == c.session_token\n"
    "print('active', s.profile, 'consistent', same)"
)
