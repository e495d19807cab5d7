"""Secret scans whose failure report says how many and where, never the secret itself."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SECRET_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


def count_leaks(secrets: Iterable[str], haystack: Any) -> int:
    """How many of `secrets` occur in `haystack` (text, or anything JSON-able)."""
    text = haystack if isinstance(haystack, str) else json.dumps(haystack, default=str)
    return sum(1 for secret in set(secrets) if secret and secret in text)


def assert_no_leak(secrets: Iterable[str], haystack: Any, where: str) -> None:
    """Fail with a count and a place: pytest would print both operands of `assert secret not in text`."""
    found = count_leaks(secrets, haystack)
    if found:
        raise AssertionError(f"{found} secret(s) in {where}")


def secrets_in_play(local_aws: Any, home: Path | None = None) -> set[str]:
    """Every key, secret and token a test must never see shown: the sandbox's long-term keys, the kernel's
    environment keys and, with `home`, every credential in its CLI cache files."""
    found = set(json.loads(Path(local_aws.state_dir, "env.json").read_text()).values())
    for line in Path(local_aws.credentials_file).read_text().splitlines():
        if "=" in line and line.strip().startswith("aws_"):
            found.add(line.split("=", 1)[1].strip())
    if home is not None:
        for path in (Path(home) / ".aws" / "cli" / "cache").glob("*.json"):
            _collect(json.loads(path.read_text()), found)
    return {s for s in found if len(s) >= 12}


def _collect(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                found.add(value)
            _collect(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect(item, found)
