"""Assume AWS IAM role profiles from Jupyter: inline MFA, credentials live in the kernel."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, ContextManager

from .credentials import Credentials, RoleState
from .errors import AwsRoleError, MfaError, ProfileError, StsError, call_cleanly
from .mfa import as_source

__all__ = [
    "assume", "unset", "current", "role", "list_profiles", "observe", "refresh", "picker",
    "RoleState", "Credentials", "AwsRoleError", "ProfileError", "MfaError", "StsError",
    "load_ipython_extension", "unload_ipython_extension",
]
__version__ = "0.1.0"


def _manager() -> Any:
    from .manager import get_manager

    return get_manager()


def assume(profile: str, *, mfa: Any = None, **options: Any) -> RoleState:
    """Switch this process to a role profile; `mfa` is a code, a callable(serial) -> code, or None to ask."""
    source = _masked(mfa)
    del mfa  # verbose tracebacks show this frame's locals: only the masked source may stay
    _usable(source)
    return call_cleanly(_manager().assume, profile, mfa=source, **options)


def unset() -> bool:
    """Restore the environment from before the first switch."""
    return call_cleanly(_manager().unset)


def current() -> RoleState | None:
    """The active role, or None."""
    return _manager().active


def role(profile: str, *, mfa: Any = None, **options: Any) -> ContextManager[RoleState]:
    """`with role("analyst"):` runs a block as a role and restores the previous state after."""
    source = _masked(mfa)
    del mfa
    _usable(source)
    return _Role(profile, source, options)


class _Role:
    """A plain context manager: an exception of the block keeps its own traceback, without our frames."""

    def __init__(self, profile: str, source: Any, options: dict[str, Any]) -> None:
        self._profile, self._source, self._options = profile, source, options
        self._scopes: list[Any] = []

    def __enter__(self) -> RoleState:
        scope = _manager().scoped(self._profile, mfa=self._source, **self._options)
        state = call_cleanly(scope.__enter__)
        self._scopes.append(scope)
        return state

    def __exit__(self, *exc_info: Any) -> None:
        self._scopes.pop().__exit__(None, None, None)


def list_profiles() -> list[Any]:
    """Every profile of the AWS config files, as `%awsrole --list` shows them."""
    return call_cleanly(_manager().list_profiles)


def observe(callback: Callable[[str, RoleState | None], None]) -> Callable[[], None]:
    """Be told of every change of role (event name, state); returns a function that stops it."""
    return _manager().observe(callback)


def refresh() -> RoleState | None:
    """Renew the active role now if no MFA code is needed (the STS call runs on this thread)."""
    return call_cleanly(_manager().refresh)


def _masked(mfa: Any) -> Any:
    """What a user passed as `mfa`, as an MfaSource whose repr hides the code (None if unusable)."""
    try:
        return as_source(mfa)
    except TypeError:
        return None


def _usable(source: Any) -> None:
    """Raised where no frame holds what the user passed (an int code, say)."""
    if source is None:
        raise TypeError("mfa must be the 6-digit code as a str, a callable returning it, or None.")


def picker() -> Any:
    """The ipywidgets role picker, bound to this kernel's state."""
    from .role_picker import picker as _picker

    return _picker(_manager())


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext jupyter_awsrole`: magics, %config settings, the pre-cell expiry check, completion."""
    from .magics import AwsRoleMagics, complete_profiles

    manager = _manager()
    if manager.settings not in ipython.configurables:
        manager.settings.parent = ipython
        manager.settings.update_config(ipython.config)
        ipython.configurables.append(manager.settings)
    ipython.register_magics(AwsRoleMagics(ipython, manager))
    if _before_cell not in ipython.events.callbacks["pre_run_cell"]:
        ipython.events.register("pre_run_cell", _before_cell)
    from .comm import install

    install(getattr(ipython, "kernel", None), manager)
    ipython.set_hook(
        "complete_command", lambda _self, event: complete_profiles(manager, event.line.split("awsrole", 1)[-1]),
        str_key="%awsrole",
    )


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt lab extension lives, for `jupyter labextension develop`."""
    return [{"src": "labextension", "dest": "jupyter-awsrole"}]


def _before_cell(*_: Any) -> None:
    _manager().before_cell()


def unload_ipython_extension(ipython: Any) -> None:
    """Stop the pre-cell check; the active role stays until `%awsrole --unset`."""
    with contextlib.suppress(ValueError):
        ipython.events.unregister("pre_run_cell", _before_cell)
