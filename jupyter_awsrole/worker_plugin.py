"""The worker side of sharing a role with a Dask cluster: a WorkerPlugin that installs what the kernel pushed.

Each worker serves the pushed credentials from an endpoint of its own (endpoint.py, on the worker's
127.0.0.1) and points its environment at it, as the kernel does: a reader gets key, secret and token in
one answer, never the key of one role with the secret of another, and a client keeps the role it was made
with. A plugin without a role puts the worker's own environment back and stops serving every path.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from . import environment
from .credentials import RoleState
from .mfa import NoPrompt
from .options import Options

PLUGIN_NAME = "jupyter-awsrole"
# Tells the kernel's own process (a threads-only LocalCluster runs its workers there) from the workers'.
ORIGIN = f"{uuid.uuid4().hex}:{os.getpid()}"

_lock = threading.Lock()
_baseline: environment.Variables | None = None  # the worker's own variables, from before the first role
_applied: tuple[int, str | None] = (0, None)  # (serial, profile) of the last push this process took
_last_origin = [""]  # the kernel whose push that was


class RolePlugin(WorkerPlugin):
    """One push: the role's state (None to end sharing) and its serial; the repr names the profile only."""

    name = PLUGIN_NAME

    def __init__(self, state: RoleState | None, serial: int, origin: str = ORIGIN) -> None:
        self.state = state
        self.serial = serial
        self.origin = origin

    def __repr__(self) -> str:
        profile = self.state.profile if self.state is not None else None
        return f"RolePlugin(profile={profile!r}, serial={self.serial})"

    __str__ = __repr__

    def setup(self, worker: Any = None) -> None:
        """Act as the pushed role (or as none) from now on; nothing in the kernel's own process."""
        if self.origin == ORIGIN:
            return
        with _lock:
            # A push that timed out in the kernel may land after a newer one from the same kernel: it is stale.
            if self.origin == _last_origin[0] and self.serial < _applied[0]:
                return
            _last_origin[0] = self.origin
        install(self.state, self.serial)

    def teardown(self, worker: Any = None) -> None:
        """Nothing: a push replaces the plugin (teardown, then setup), and the role must not lapse between."""


def install(state: RoleState | None, serial: int) -> None:
    """Serve `state` on this process's endpoint and point the environment at its path, resetting boto3's default
    session and s3fs's instances; None puts the environment from before back and stops serving."""
    global _baseline, _applied
    from . import endpoint

    with _lock:
        if state is None:
            if _baseline is not None:
                environment.apply(_baseline)
                _baseline = None
            served = endpoint.existing_endpoint()
            if served is not None:
                served.unregister_all()  # clients made earlier fail at their next fetch
            environment.reset_sdk_caches()
        else:
            baseline = _baseline if _baseline is not None else environment.snapshot()
            served = endpoint.get_endpoint()
            path = served.register(state, Options(), NoPrompt(), baseline, _as_pushed)
            environment.apply(environment.endpoint_environment(state, baseline, served.environment(path)))
            environment.reset_sdk_caches()  # the whole default session: a worker never needs its service data kept
            _baseline = baseline
        _applied = (serial, state.profile if state is not None else None)


def _as_pushed(served: Any) -> RoleState:
    """A worker cannot renew: the kernel pushes renewals, which replace the path's state."""
    return served.state


def applied() -> tuple[int, str | None]:
    """The serial and profile of the last push this worker took (for `client.run`: no secret in or out)."""
    return _applied
