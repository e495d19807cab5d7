"""Each role's s3fs filesystems kept apart: switching back to a role finds its filesystems (and their
loaded S3 client) warm, and no filesystem ever serves a role it was not made for."""

from __future__ import annotations

import sys
from typing import Any

from .compat import filesystem_instances, s3fs_connected

_shelves: dict[str, dict[Any, Any]] = {}
_current: str | None = None


def follow(role: str | None) -> None:
    """Make s3fs's instance cache the one of `role` (a credential endpoint URI: it binds every filesystem
    made under it to that role), or empty when `role` is None (static keys: nothing binds a filesystem)."""
    global _current
    s3fs = sys.modules.get("s3fs")
    if s3fs is None:
        _shelves.clear()
        _current = role
        return
    if role is not None and role == _current:
        return  # a renewal on the same path: the filesystems already follow it
    cls = s3fs.S3FileSystem
    if role is None or _current is None:
        _shelves.clear()
    else:
        # Only filesystems that connected under the role are its own: one made but unused would connect as the next.
        instances = filesystem_instances(cls)
        _shelves[_current] = {key: fs for key, fs in instances.items() if s3fs_connected(fs)}
    cls.clear_instance_cache()
    if role is not None:
        filesystem_instances(cls).update(_shelves.pop(role, {}))
    _current = role
