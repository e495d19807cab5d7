"""Sharing the kernel's role with the workers of Dask clusters: pushed on every switch, renewal and unset.

A push registers worker_plugin.RolePlugin under one name through `Client.register_plugin`, so every
worker (and every worker that joins later) takes it; it returns once every worker answered, which is
before `%awsrole` returns. Pushes never hold the manager's lock and are bounded in time.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .credentials import RoleState
from .errors import AwsRoleError
from .events import Event
from .manager import RoleManager, get_manager

PUSH_TIMEOUT = 15.0  # seconds a cluster has to answer a push before the kernel says so and goes on
FOLLOWED = frozenset({Event.ASSUMED, Event.REFRESHED, Event.RESTORED, Event.UNSET})

_serials = itertools.count(1)
_shares: list[Share] = []
_watchers: list[Callable[[dict[str, int]], None]] = []
_auto = False  # AwsRole.share_with_dask in this process


class ShareError(AwsRoleError):
    """A push did not reach the cluster (or some of its workers); the kernel's own role is unchanged."""


class PartlyShared(ShareError):
    """Some workers took the push and some did not (named in the message)."""


class Share:
    """One cluster following the kernel's role; `stop()` (or `share_with(client, False)`) ends it."""

    def __init__(self, client: Any, manager: RoleManager) -> None:
        self.client = client
        self.manager = manager
        self.workers = 0  # workers that took the last push
        self.problem: str | None = None  # the last push's one-line failure, if any
        self._known: set[str] = set()
        self._lock = threading.Lock()  # one push at a time per cluster, the newest state last
        self._stop_observing: Callable[[], None] | None = None

    def __repr__(self) -> str:
        role = self.manager.active.profile if self.manager.active is not None else None
        return f"Share(scheduler={_address(self.client)!r}, workers={self.workers}, role={role!r})"

    def start_following(self) -> None:
        """Push at every switch, renewal and unset from now on."""
        self._stop_observing = self.manager.observe(self._changed, FOLLOWED)
        _shares.append(self)
        _told()

    def stop(self) -> None:
        """No worker acts as the role any more, and the scheduler forgets the plugin that held it."""
        from .worker_plugin import PLUGIN_NAME

        self.stop_following()
        try:
            self.push(role=False)
            _forget(self.client, PLUGIN_NAME)
        finally:
            self.workers = 0
            _told()

    def push(self, role: bool = True) -> None:
        """Make every worker act as the manager's active role (read under this share's lock), or as none."""
        from .worker_plugin import PLUGIN_NAME, RolePlugin, applied

        with self._lock:
            current = self.manager.active if role else None
            status = getattr(self.client, "status", "running")
            if status != "running":  # reconnecting to a scheduler that is gone, not started, or closed
                self.problem = (
                    f"The Dask cluster at {_address(self.client)} cannot be reached (its client is {status})."
                )
                _told()
                raise ShareError(self.problem)
            serial = next(_serials)
            try:
                answers = _bounded(self.client, "register_plugin", RolePlugin(current, serial), name=PLUGIN_NAME)
                self._known = set(answers)
                self.workers, self.problem = len(answers), None
            except ShareError as exc:
                self.problem = str(exc)
                raise
            except Exception as exc:
                missed, took = self._who_missed(serial, applied)
                if not took:  # nobody has it, or nobody could be asked
                    self.problem = _refused(exc)
                    if not _unreachable(exc):  # the scheduler answered: it need not keep what nobody took
                        _forget(self.client, PLUGIN_NAME)
                    raise ShareError(self.problem) from None
                self.workers = len(took)
                self.problem = None
                if missed:
                    self.problem = (
                        f"{len(missed)} worker(s) of the Dask cluster did not take the role ({', '.join(missed)}); "
                        f"the other {len(took)} did."
                    )
                    raise PartlyShared(self.problem) from None
            finally:
                _told()

    def _who_missed(self, serial: int, applied: Callable[[], Any]) -> tuple[list[str], list[str]]:
        """After a failed push: the workers (of the last push's and the live ones) without it, and those with it."""
        try:
            answers = _bounded(self.client, "run", applied, on_error="return")
        except Exception:
            return [], []
        took = sorted(a for a, v in answers.items() if isinstance(v, (tuple, list)) and v and v[0] == serial)
        return sorted((self._known | set(answers)) - set(took)), took

    def _changed(self, event: Event, state: RoleState | None) -> None:
        """An observer of the manager: runs before `%awsrole` returns (and in the renewal thread)."""
        if _closed(self.client):
            self.stop_following()
            return
        try:
            if event is not Event.REFRESHED:
                _wait_for_running(self.client, PUSH_TIMEOUT)
            self.push()
        except ShareError as exc:
            print(f"jupyter-awsrole: {exc}", file=sys.stderr)

    def stop_following(self) -> None:
        """Forget a cluster whose client was closed: nothing to push to."""
        if self._stop_observing is not None:
            self._stop_observing()
            self._stop_observing = None
        if self in _shares:
            _shares.remove(self)
        self.workers = 0
        _told()


def share_with(client: Any, share: bool = True, *, manager: RoleManager | None = None) -> Share | None:
    """Make every worker of `client`'s cluster act as the kernel's role from now on; False ends it."""
    existing = next((s for s in _shares if s.client is client), None)
    if not share:
        if existing is not None:
            existing.stop()
        return None
    if existing is not None:
        return existing
    if not callable(getattr(client, "register_plugin", None)):
        raise ShareError(
            "This Dask client has no register_plugin (distributed 2023.9 or later needed); no worker acts as the role."
        )
    created = Share(client, manager or get_manager())
    try:
        created.push()
    except PartlyShared as exc:
        print(f"jupyter-awsrole: {exc}", file=sys.stderr)
    created.start_following()
    return created


def summary() -> dict[str, int]:
    """What the picker and the lab show: how many clusters share the role, with how many workers in all."""
    return {"clusters": len(_shares), "workers": sum(s.workers for s in _shares)}


def watch(callback: Callable[[dict[str, int]], None]) -> Callable[[], None]:
    """Call `callback(summary())` whenever a push or a stop changes it; returns a function that stops it."""
    _watchers.append(callback)
    return lambda: _watchers.remove(callback) if callback in _watchers else None


def _told() -> None:
    now = summary()
    for callback in list(_watchers):
        try:
            callback(now)
        except Exception:
            pass


# -- bounded calls -----------------------------------------------------------------------------------


def _bounded(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """`client.<method>(...)` in a thread of its own: a cluster that hangs costs PUSH_TIMEOUT, not the kernel."""
    timeout = PUSH_TIMEOUT
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append((True, getattr(client, method)(*args, **kwargs)))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=call, name="jupyter-awsrole-share", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise ShareError(
            f"The Dask cluster at {_address(client)} did not answer within {timeout:.0f} s; "
            "its workers may still act as the previous role."
        )
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _unreachable(exc: BaseException) -> bool:
    return isinstance(exc, (OSError, asyncio.TimeoutError)) or "Comm" in type(exc).__name__


def _forget(client: Any, name: str) -> None:
    """Best effort: the scheduler drops a plugin (and the credentials in it)."""
    try:
        _bounded(client, "unregister_worker_plugin", name)
    except Exception:
        pass


def _refused(exc: BaseException) -> str:
    """One line for a push the cluster refused as a whole; the error's kind, never its arguments."""
    kind = type(exc).__name__
    if _unreachable(exc):
        return f"The Dask cluster cannot be reached ({kind}); no worker was told of the role."
    if isinstance(exc, (ImportError, AttributeError, TypeError)):
        return (
            f"A Dask worker refused the role ({kind}): the workers need jupyter-awsrole and distributed 2023.9 "
            "or later installed."
        )
    return f"A Dask worker refused the role ({kind})."


def _address(client: Any) -> str:
    scheduler = getattr(client, "scheduler", None)
    return str(getattr(scheduler, "address", None) or "?")


def _closed(client: Any) -> bool:
    return getattr(client, "status", "running") in ("closing", "closed")


def _wait_for_running(client: Any, limit: float) -> None:
    """Before a switch: let this client's computations in flight finish as the role they started as."""
    deadline = time.monotonic() + limit
    while _running(client) and time.monotonic() < deadline:
        time.sleep(0.01)
    left = _running(client)
    if left:
        print(
            f"jupyter-awsrole: {left} task(s) of this client still ran after {limit:.0f} s; "
            "those that start now run as the new role.",
            file=sys.stderr,
        )


def _running(client: Any) -> int:
    """This client's futures still pending (the client's loop thread changes them meanwhile)."""
    futures = getattr(client, "futures", None) or {}
    try:
        states = list(futures.values())
    except RuntimeError:  # changed size while copied: ask again
        return 1
    return sum(1 for state in states if getattr(state, "status", None) == "pending")


# -- %config AwsRole.share_with_dask -------------------------------------------------------------------


def set_auto(on: bool) -> None:
    """`AwsRole.share_with_dask`: a client preload (`distributed.client.preload`) names this module, so
    dask_setup() runs in every Client made from now on."""
    global _auto
    _auto = on
    import dask

    preloads = [p for p in dask.config.get("distributed.client.preload", None) or [] if p != __name__]
    dask.config.set({"distributed.client.preload": [*preloads, __name__] if on else preloads})


async def dask_setup(client: Any) -> None:
    """The preload: share with a new Client before its constructor returns (off unless share_with_dask)."""
    if _auto:
        await asyncio.to_thread(_share_quietly, client)


def _share_quietly(client: Any) -> None:
    try:
        share_with(client)
    except ShareError as exc:
        print(f"jupyter-awsrole: {exc}", file=sys.stderr)
