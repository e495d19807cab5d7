"""Assume AWS IAM role profiles from Jupyter: inline MFA, credentials live in the kernel."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .credentials import Credentials, RoleState
from .errors import AwsRoleError, MfaError, ProfileError, StsError, call_cleanly
from .mfa import MfaInput, MfaSource, as_source
from .options import Options

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    from .events import Event
    from .listing import ProfileInfo
    from .manager import RoleManager
    from .role_picker import RolePicker
    from .sharing import Share

__all__ = [
    "AwsRoleError",
    "Credentials",
    "MfaError",
    "ProfileError",
    "RoleState",
    "StsError",
    "assume",
    "current",
    "list_profiles",
    "load_ipython_extension",
    "observe",
    "picker",
    "refresh",
    "role",
    "session",
    "share_with",
    "sharing_summary",
    "storage_options",
    "unload_ipython_extension",
    "unset",
]


def __getattr__(name: str) -> str:
    """`__version__`, from the installed metadata (pyproject reads labextension/package.json), looked up on demand."""
    if name == "__version__":
        from importlib.metadata import version

        return version("jupyter-awsrole")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _manager() -> RoleManager:
    from .manager import get_manager

    return get_manager()


def assume(
    profile: str,
    *,
    mfa: MfaInput = None,
    region: str | None = None,
    duration: int | None = None,
    session_name: str | None = None,
    external_id: str | None = None,
    source_profile: str | None = None,
    refresh: bool = False,
    policy_arns: str | Sequence[str] | None = None,
    policy: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    tags: str | Sequence[str] | Mapping[str, str] | None = None,
    source_identity: str | None = None,
) -> RoleState:
    """Switch this process to a role profile (or a role ARN); `mfa` is a code, a callable(serial) -> code, or None
    to ask.

    The options (see options.Options): `region` to set, `duration` in seconds (900-43200), `session_name`
    and `external_id` for the last AssumeRole call, `source_profile` the profile a role ARN is assumed from
    (default: the active role), `refresh` to ignore the cached session. Narrower sessions (the last AssumeRole
    call only): `policy_arns` managed session policies (an ARN or a list), `policy` an inline session policy
    (a dict, JSON text starting with `{`, or the path of a JSON file), `tags` session tags (`"K=V"`, a list of
    them, or a dict) and `source_identity`; a narrowed session is cached apart from the unnarrowed one."""
    masked = _masked(mfa)
    del mfa  # verbose tracebacks show this frame's locals: only the masked source may stay
    source = _usable(masked)
    return call_cleanly(_manager().assume, profile, mfa=source, **Options.pick(locals()))


def unset() -> bool:
    """Restore the environment from before the first switch."""
    return call_cleanly(_manager().unset)


def current() -> RoleState | None:
    """The active role, or None."""
    return _manager().active


P = ParamSpec("P")
R = TypeVar("R")


def _takes_what(model: Callable[P, object]) -> Callable[[Callable[..., R]], Callable[P, R]]:
    """The decorated function takes the arguments of `model`: one signature, for help() and IDEs alike."""

    def decorate(func: Callable[..., R]) -> Callable[P, R]:
        returns = inspect.signature(func).return_annotation
        func.__signature__ = inspect.signature(model).replace(return_annotation=returns)  # type: ignore[attr-defined]
        return func

    return decorate


@_takes_what(assume)
def session(profile: str, *, mfa: MfaInput = None, **options: Any) -> Any:
    """A boto3.Session acting as a role, beside the kernel's active role (which does not change).

    It reads the role from its own path of the kernel's credential endpoint, renewed like the rest;
    `mfa` and the options as assume(). `%awsrole --unset` stops it too."""
    masked = _masked(mfa)
    del mfa
    state, variables = call_cleanly(_manager().serve, profile, mfa=_usable(masked), **options)
    from .served import boto3_session

    return boto3_session(variables, state.region)


@_takes_what(assume)
def storage_options(profile: str, *, mfa: MfaInput = None, **options: Any) -> dict[str, Any]:
    """Options with which `pd.read_csv("s3://...", storage_options=...)` and `s3fs.S3FileSystem(**...)` act
    as a role, beside the kernel's active role (arguments as session())."""
    masked = _masked(mfa)
    del mfa
    state, variables = call_cleanly(_manager().serve, profile, mfa=_usable(masked), **options)
    from .served import s3fs_storage_options

    return s3fs_storage_options(variables, state.region)


@_takes_what(assume)
def role(profile: str, *, mfa: MfaInput = None, **options: Any) -> AbstractContextManager[RoleState]:
    """`with role("analyst"):` runs a block as a role and restores the previous state after (options as assume())."""
    masked = _masked(mfa)
    del mfa
    return _Role(profile, _usable(masked), options)


class _Role:
    """A plain context manager: an exception of the block keeps its own traceback, without our frames."""

    def __init__(self, profile: str, source: MfaSource, options: dict[str, Any]) -> None:
        self._profile, self._source, self._options = profile, source, options
        self._scopes: list[Any] = []

    def __enter__(self) -> RoleState:
        scope = _manager().scoped(self._profile, mfa=self._source, **self._options)
        state = call_cleanly(scope.__enter__)
        self._scopes.append(scope)
        return state

    def __exit__(self, *exc_info: Any) -> None:
        self._scopes.pop().__exit__(None, None, None)


def list_profiles() -> list[ProfileInfo]:
    """Every profile of the AWS config files, as `%awsrole --list` shows them."""
    return call_cleanly(_manager().list_profiles)


def observe(callback: Callable[[Event, RoleState | None], None]) -> Callable[[], None]:
    """Be told of every change of role (an Event, a str such as "assumed"; the state); returns a function that stops it."""
    return _manager().observe(callback)


def refresh() -> RoleState | None:
    """Renew the active role now if no MFA code is needed (the STS call runs on this thread)."""
    return call_cleanly(_manager().refresh)


def _masked(mfa: Any) -> MfaSource | None:
    """What a user passed as `mfa`, as an MfaSource whose repr hides the code (None if unusable)."""
    try:
        return as_source(mfa)
    except TypeError:
        return None


def _usable(source: MfaSource | None) -> MfaSource:
    """The source, or a TypeError raised where no frame holds what the user passed (an int code, say)."""
    if source is None:
        raise TypeError("mfa must be the 6-digit code as a str, a callable returning it, or None.")
    return source


def share_with(client: Any, share: bool = True) -> Share | None:
    """Make every worker of a Dask cluster (`client`: a distributed.Client) act as the kernel's role, following
    every switch, renewal and unset; `share_with(client, False)` ends it. Returns the share (its `stop()` too)."""
    from .sharing import share_with as _share_with

    return call_cleanly(_share_with, client, share, manager=_manager())


def sharing_summary() -> dict[str, int]:
    """How many Dask clusters share the kernel's role, with how many workers in all (as of their last push)."""
    from .sharing import summary

    return summary()


def picker() -> RolePicker:
    """The ipywidgets role picker, bound to this kernel's state."""
    from .role_picker import picker as _picker

    return _picker(_manager())


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext jupyter_awsrole`: magics, %config settings, the pre-cell expiry check, completion, the role
    each cell ran as in its execute reply."""
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
    from . import provenance

    provenance.install(ipython, manager)
    manager.settings.observe(_share_setting, names=["share_with_dask"])  # traitlets keeps one of each handler
    if manager.settings.share_with_dask:
        _share_setting({"new": True})
    from .compat import add_magic_completer

    add_magic_completer(ipython, "awsrole", lambda text: complete_profiles(manager, text))


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt lab extension lives, for `jupyter labextension develop`."""
    return [{"src": "labextension", "dest": "jupyter-awsrole"}]


def _share_setting(change: Any) -> None:
    """`%config AwsRole.share_with_dask`: sharing.py (and dask) are imported only when it is turned on or off."""
    from .sharing import set_auto

    set_auto(bool(change["new"]))


def _before_cell(*_: Any) -> None:
    _manager().before_cell()


def unload_ipython_extension(ipython: Any) -> None:
    """Stop the pre-cell check and the cells' records; the active role stays until `%awsrole --unset`."""
    with contextlib.suppress(ValueError):
        ipython.events.unregister("pre_run_cell", _before_cell)
    from . import provenance

    provenance.uninstall(ipython)
