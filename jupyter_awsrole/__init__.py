"""Assume AWS IAM role profiles from Jupyter: inline MFA, credentials live in the kernel."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from .credentials import Credentials, RoleState
from .errors import AwsRoleError, MfaError, ProfileError, StsError

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
    return _manager().assume(profile, mfa=mfa, **options)


def unset() -> bool:
    """Restore the environment from before the first switch."""
    return _manager().unset()


def current() -> RoleState | None:
    """The active role, or None."""
    return _manager().active


@contextlib.contextmanager
def role(profile: str, *, mfa: Any = None, **options: Any) -> Iterator[RoleState]:
    """`with role("analyst"):` runs a block as a role and restores the previous state after."""
    with _manager().scoped(profile, mfa=mfa, **options) as state:
        yield state


def list_profiles() -> list[Any]:
    """Every profile of the AWS config files, as `%awsrole --list` shows them."""
    return _manager().list_profiles()


def observe(callback: Callable[[str, RoleState | None], None]) -> Callable[[], None]:
    """Be told of every change of role (event name, state); returns a function that stops it."""
    return _manager().observe(callback)


def refresh() -> RoleState | None:
    """Renew the active role now if no MFA code is needed."""
    return _manager().refresh()


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
