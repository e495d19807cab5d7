"""Which role ran each cell: a record in the cell's execute_reply metadata, which JupyterLab and nbclient keep.

The record is the role the cell's code ran as: the role active when the innermost (last started) cell run of
the request finished. For a plain cell that is the role active at its end; a `%%awsrole` cell runs its body as a
nested cell, which finishes before the previous role comes back, so it records the scoped role. ipykernel has no
hook for reply metadata, so the kernel instance's `finish_metadata` is wrapped while the extension is loaded.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .credentials import RoleState
    from .manager import RoleManager

log = logging.getLogger(__name__)

KEY = "jupyter_awsrole"  # in execute_reply metadata and in cell metadata alike
FIELDS = ("profile", "role_arn", "account")
RECORDED = ("ok", "error")  # replies of cells that ran; "aborted" ones did not

_enabled = True


def record(state: RoleState) -> dict[str, str]:
    """Who ran a cell; no secret and no expiry, since a notebook outlives both."""
    return {"profile": state.profile, "role_arn": state.role_arn, "account": state.account}


def set_enabled(on: bool) -> None:
    """Turn recording on or off for the cells that run from now on (`%awsrole --provenance on|off`)."""
    global _enabled
    _enabled = bool(on)


def enabled() -> bool:
    """Whether cells that finish with a role record it."""
    return _enabled


class _Running(threading.local):
    """The cell running on this thread (ipykernel's subshells run cells on threads of their own)."""

    noted = False
    ran_as: RoleState | None = None


class Tracker:
    """Notes the role each cell's code ran as (pre/post_run_cell) and adds it to the cell's execute_reply."""

    def __init__(self, manager: RoleManager) -> None:
        self.manager = manager
        self.running = _Running()
        self.stopped = False

    def before(self, _info: Any = None) -> None:
        self.running.noted = False  # a cell run with no reply of its own (startup lines) leaves nothing behind

    def after(self, _result: Any = None) -> None:
        cell = self.running
        if not cell.noted:  # the innermost cell finishes first: a %%awsrole body, still under its role
            cell.noted, cell.ran_as = True, self.manager.active

    def take(self) -> RoleState | None:
        """The role the cell that just ended ran as; forgets it, so the next cell starts afresh."""
        cell = self.running
        state = cell.ran_as if cell.noted else self.manager.active
        cell.noted, cell.ran_as = False, None
        return state

    def add(self, parent: dict[str, Any], metadata: dict[str, Any], reply_content: dict[str, Any]) -> None:
        """Add the record to an execute_reply's metadata: an attribute read, no lock, no network."""
        if self.stopped or parent.get("header", {}).get("msg_type") != "execute_request":
            return
        if parent.get("content", {}).get("silent") or reply_content.get("status") not in RECORDED:
            return
        state = self.take()
        if state is not None and _enabled:
            metadata[KEY] = record(state)


def _wrapped(kernel: Any, tracker: Tracker) -> Any:
    inner = kernel.finish_metadata

    def finish_metadata(parent: dict[str, Any], metadata: dict[str, Any], reply_content: dict[str, Any]) -> Any:
        metadata = inner(parent, metadata, reply_content)
        try:
            tracker.add(parent, metadata, reply_content)
        except Exception:  # the reply must go out whatever happens here
            log.debug("jupyter-awsrole: could not record the cell's role", exc_info=True)
        return metadata

    finish_metadata.__wrapped__ = inner  # type: ignore[attr-defined]
    return finish_metadata


_installed: tuple[Any, Tracker, Any, Any] | None = None  # shell, tracker, the wrapper, what it replaced


def install(shell: Any, manager: RoleManager) -> Tracker | None:
    """Record cells' roles in their execute replies; nothing outside a kernel (terminal IPython has no replies)."""
    global _installed
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not callable(getattr(kernel, "finish_metadata", None)):
        return None
    if _installed is not None:
        uninstall(_installed[0])
    tracker = Tracker(manager)
    replaced = kernel.__dict__.get("finish_metadata")  # None: the class's method
    wrapper = _wrapped(kernel, tracker)
    kernel.finish_metadata = wrapper
    shell.events.register("pre_run_cell", tracker.before)
    shell.events.register("post_run_cell", tracker.after)
    _installed = (shell, tracker, wrapper, replaced)
    return tracker


def uninstall(shell: Any) -> None:
    """Undo install(): replies carry no record any more."""
    global _installed
    if _installed is None or _installed[0] is not shell:
        return
    _, tracker, wrapper, replaced = _installed
    _installed = None
    tracker.stopped = True  # in case someone wrapped finish_metadata over ours: it stays, but adds nothing
    for event, callback in (("pre_run_cell", tracker.before), ("post_run_cell", tracker.after)):
        if callback in shell.events.callbacks[event]:
            shell.events.unregister(event, callback)
    kernel = shell.kernel
    if kernel.__dict__.get("finish_metadata") is wrapper:
        if replaced is None:
            del kernel.finish_metadata
        else:
            kernel.finish_metadata = replaced


def nbclient_hook(cell: Any, cell_index: int, execute_reply: dict[str, Any] | None) -> None:
    """`NotebookClient.on_cell_executed`: a headless run keeps the record in the cell, as JupyterLab does,
    and drops a record left from an earlier run when this one has none."""
    found = ((execute_reply or {}).get("metadata") or {}).get(KEY)
    kept = {name: found[name] for name in FIELDS if isinstance(found, dict) and isinstance(found.get(name), str)}
    if kept:
        cell.metadata[KEY] = kept
    else:
        cell.metadata.pop(KEY, None)
