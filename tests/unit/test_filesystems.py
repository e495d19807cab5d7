"""Each role's s3fs filesystems are kept for its next switch, and never offered to another role."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import pytest

from jupyter_awsrole import filesystems


class FakeFileSystem:
    """Stands for s3fs.S3FileSystem: fsspec's instance cache, and a client made on first use."""

    _cache: ClassVar[dict] = {}

    def __init__(self, connected: bool = True) -> None:
        self._s3 = object() if connected else None

    @classmethod
    def clear_instance_cache(cls) -> None:
        cls._cache.clear()


@pytest.fixture
def s3fs(monkeypatch):
    FakeFileSystem._cache = {}
    monkeypatch.setitem(sys.modules, "s3fs", types.SimpleNamespace(S3FileSystem=FakeFileSystem))
    monkeypatch.setattr(filesystems, "_shelves", {})
    monkeypatch.setattr(filesystems, "_current", None)
    return FakeFileSystem


def test_switching_back_finds_the_roles_own_filesystems(s3fs):
    filesystems.follow("uri-a")
    a = s3fs._cache["default"] = s3fs()
    filesystems.follow("uri-b")
    assert s3fs._cache == {}
    b = s3fs._cache["default"] = s3fs()
    filesystems.follow("uri-a")
    assert s3fs._cache == {"default": a}
    filesystems.follow("uri-b")
    assert s3fs._cache == {"default": b}


def test_a_renewal_on_the_same_path_keeps_the_filesystems(s3fs):
    filesystems.follow("uri-a")
    a = s3fs._cache["default"] = s3fs()
    filesystems.follow("uri-a")
    assert s3fs._cache == {"default": a}


def test_a_filesystem_not_yet_connected_is_not_kept_for_its_role(s3fs):
    filesystems.follow("uri-a")
    s3fs._cache["default"] = s3fs(connected=False)  # would connect as whatever role comes next
    filesystems.follow("uri-b")
    filesystems.follow("uri-a")
    assert s3fs._cache == {}


def test_static_keys_keep_nothing(s3fs):
    filesystems.follow("uri-a")
    s3fs._cache["default"] = s3fs()
    filesystems.follow(None)
    assert s3fs._cache == {}
    s3fs._cache["default"] = s3fs()
    filesystems.follow("uri-a")
    assert s3fs._cache == {}, "neither the environment-mode filesystem nor the one dropped at the unset comes back"
