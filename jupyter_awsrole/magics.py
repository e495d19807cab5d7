"""`%awsrole` and `%%awsrole`: parse the line, call the RoleManager, show one line or a table."""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from . import history
from .display import ProfileTable, StatusView, confirmation
from .errors import AwsRoleError
from .manager import RoleManager

FLAGS = (
    "--mfa-token", "--region", "--duration", "--session-name", "--external-id",
    "--refresh", "--list", "--unset", "--picker",
)


def _arguments(func: Any) -> Any:
    for decorator in reversed(
        [
            magic_arguments(),
            argument("profile", nargs="?", help="AWS profile to assume (from the AWS config files)."),
            argument("--mfa-token", metavar="CODE", help="MFA code, instead of being asked for it."),
            argument("--region", help="Region to set instead of the profile's."),
            argument("--duration", metavar="SECONDS", help="Session length (900-43200)."),
            argument("--session-name", metavar="NAME", help="RoleSessionName to use."),
            argument("--external-id", metavar="ID", help="ExternalId to send."),
            argument("--refresh", action="store_true", help="Ignore the cached session and assume again."),
            argument("--list", action="store_true", help="List every profile (or those matching PROFILE's words)."),
            argument("--unset", action="store_true", help="Go back to the environment before the first switch."),
            argument("--picker", action="store_true", help="Show the role picker widget."),
        ]
    ):
        func = decorator(func)
    return func


@magics_class
class AwsRoleMagics(Magics):
    """The magics; all logic lives in RoleManager."""

    def __init__(self, shell: Any, manager: RoleManager) -> None:
        super().__init__(shell)
        self.manager = manager

    def _parse(self, func: Any, line: str) -> Any:
        try:
            return parse_argstring(func, line)
        except UsageError as exc:
            raise UsageError(" ".join(str(exc).split())) from None
        except ValueError as exc:  # shlex: unbalanced quotes
            raise UsageError(f"Cannot read the arguments: {exc}.") from None

    def _options(self, args: Any) -> dict[str, Any]:
        return {
            "mfa": args.mfa_token,
            "region": args.region,
            "duration": args.duration,
            "session_name": args.session_name,
            "external_id": args.external_id,
            "refresh": args.refresh,
        }

    @line_magic
    @_arguments
    def awsrole(self, line: str = "") -> None:
        """Assume an AWS role profile in this kernel: %awsrole PROFILE [options]; --list, --unset."""
        args = self._parse(self.awsrole, line)
        if args.mfa_token:
            history.scrub(self.shell, args.mfa_token)
        try:
            if args.list:
                active = self.manager.active.profile if self.manager.active else None
                display(ProfileTable(self.manager.list_profiles(args.profile or ""), active))
            elif args.unset:
                print("Back to the environment from before the first switch." if self.manager.unset()
                      else "No role was assumed; nothing to undo.")
            elif args.picker:
                from .role_picker import picker

                display(picker(self.manager))
            elif args.profile:
                state = self.manager.assume(args.profile, **self._options(args))
                print(confirmation(state))
            else:
                display(StatusView(self.manager.active))
        except AwsRoleError as exc:
            raise UsageError(str(exc)) from None

    @cell_magic("awsrole")
    @_arguments
    def awsrole_cell(self, line: str, cell: str) -> None:
        """Run one cell as a role: %%awsrole PROFILE [options]; the previous state comes back after."""
        args = self._parse(self.awsrole_cell, line)
        if args.mfa_token:
            history.scrub(self.shell, args.mfa_token)
        if not args.profile or args.list or args.unset or args.picker:
            raise UsageError("%%awsrole needs a profile: %%awsrole PROFILE [options].")
        try:
            scope = self.manager.scoped(args.profile, **self._options(args))
            scope.__enter__()
        except AwsRoleError as exc:
            raise UsageError(str(exc)) from None
        try:
            result = self.shell.run_cell(cell, store_history=False)
        finally:
            scope.__exit__(None, None, None)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            raise UsageError(f"The cell raised {type(error).__name__}; the previous AWS state is back.")


def complete_profiles(manager: RoleManager, text: str) -> list[str]:
    """Profile names and flags for `%awsrole <TAB>`."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    current = "" if text.endswith(" ") else (words[-1] if words else "")
    if current.startswith("-"):
        return [f for f in FLAGS if f.startswith(current)]
    try:
        names = sorted(manager.store.profiles())
    except AwsRoleError:
        return []
    return [n for n in names if n.startswith(current)]
