"""`%awsrole` and `%%awsrole`: parse the line, call the RoleManager, show one line or a table."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import weakref
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, kwds, magic_arguments
from IPython.display import display

from . import history, provenance
from .credentials import RoleState
from .display import LoginView, ProfileTable, StatusView, confirmation, reminder
from .errors import AwsRoleError
from .events import Event
from .listing import mfa_state_now
from .manager import RoleManager
from .mfa import FixedCode
from .options import SPECS, Code, Options, OptionSpec

ACTIONS = ("--list", "--unset", "--picker", "--forget", "--provenance", "--console", "--export")
EXPORTING = ("--as", "--yes")  # what goes with --export
OPTIONS = ("--mfa-token", *(spec.flag for spec in SPECS))  # what goes with a profile
FLAGS = (*OPTIONS, *ACTIONS, *EXPORTING)
LABELS = {spec.name: spec.flag for spec in SPECS}  # how the magic says the fields the core names
DESTS = {spec.flag: spec.name for spec in SPECS}  # where argparse keeps each flag's value
CODE_NOT_NEEDED = "The MFA code was not needed: the MFA session (or this role's cached session) is still open."
NO_PROFILE = "Name a profile: %awsrole PROFILE (see %awsrole --list)."
INTERRUPTED = "Interrupted; nothing was changed."
PROVENANCE_ON = "cells that run now record the role they run as (profile, role ARN, account) in their metadata"
PROVENANCE_OFF = "cells that run now record no role"
NO_CONSOLE_FRONT_END = (
    "No JupyterLab with the jupyter-awsrole extension listens to this kernel: open the AWS console from its"
    " status bar item instead."
)


def _option(spec: OptionSpec) -> Any:
    """The argparse argument of one field of Options."""
    if spec.switch:
        return argument(spec.flag, action="store_true", help=spec.help)
    if spec.repeated:  # --tag A=1 --tag B=2: a list, which the field's check turns into a tuple
        return argument(spec.flag, dest=spec.name, action="append", metavar=spec.metavar, help=spec.help)
    return argument(spec.flag, dest=spec.name, metavar=spec.metavar, help=spec.help)


FORMS = """\
Forms:
  %awsrole PROFILE [options]   assume the profile's role in this kernel (asks for an MFA code if needed)
  %awsrole                     who this kernel runs as, for how long, and whether MFA needs a code
  %awsrole --list [WORDS...]   every profile (or those whose name holds every word)
  %awsrole --unset             back to the environment from before the first switch
  %awsrole --console [SERVICE] open the AWS console (or SERVICE's page, e.g. s3) as the active role in a new tab
  %awsrole --forget            this notebook forgets the profile it remembers (the lab extension stops offering it)
  %awsrole --provenance off    cells stop recording the role they ran as in their metadata (on: again)
  %awsrole --export PROFILE [--as NAME] [--yes]
                               add a profile NAME (default PROFILE-jupyter) to the AWS config whose credential_process
                               serves PROFILE's sessions to the AWS CLI and every SDK; shows the change and asks first
  %%awsrole PROFILE [options]  run one cell as the role; the previous state comes back after, also on error"""


def _arguments(func: Any) -> Any:
    """The magic's arguments: the profile, the code, every field of Options, then the actions."""
    for decorator in reversed(
        [
            magic_arguments(),
            kwds(epilog=FORMS),
            argument(
                "profile",
                nargs="*",
                metavar="PROFILE",
                help="AWS profile to assume (quote a name with spaces); with --list, words to match; with --console, a service.",
            ),
            argument("--mfa-token", metavar="CODE", type=Code, help="MFA code, instead of being asked for it."),
            *(_option(spec) for spec in SPECS),
            argument("--list", action="store_true", help="List every profile (or those matching the words)."),
            argument("--unset", action="store_true", help="Go back to the environment before the first switch."),
            argument("--picker", action="store_true", help="Show the role picker widget."),
            argument("--forget", action="store_true", help="Make this notebook forget the profile it remembers."),
            argument(
                "--provenance",
                type=str.lower,
                choices=("on", "off"),
                help="Whether each cell records the role it ran as (profile, role ARN, account) in its metadata.",
            ),
            argument(
                "--console", action="store_true", help="Open the AWS console as the active role (SERVICE: its page)."
            ),
            argument("--export", action="store_true", help="Write a profile that serves PROFILE to other AWS tools."),
            argument("--as", metavar="NAME", help="With --export: the new profile's name (default PROFILE-jupyter)."),
            argument("--yes", action="store_true", help="With --export: write without asking."),
        ]
    ):
        func = decorator(func)
    # IPython writes the usage as reStructuredText ("::"); `%awsrole?` shows it as plain text.
    func.__doc__ = (func.__doc__ or "").replace("::\n\n  %", "Usage: %", 1)
    return func


class TrackedCode(FixedCode):
    """--mfa-token as a source that notes whether any hop asked for it, so the magic can say it was not needed."""

    used = False

    def __call__(self, serial: str, retry: str | None = None) -> str:
        self.used = True
        return super().__call__(serial, retry)


def said(error: AwsRoleError) -> str:
    """An error in the magic's words: `--duration must be ...` where the core says `duration must be ...`."""
    return NO_PROFILE if error.field == "profile" else error.naming(LABELS)


_reminding: weakref.WeakSet[RoleManager] = weakref.WeakSet()


def tell_reminders(manager: RoleManager) -> None:
    """Print the manager's reminders before a cell on stderr (once per manager): the core prints nothing."""
    if manager in _reminding:
        return
    _reminding.add(manager)

    def remind(_event: Event, state: RoleState | None) -> None:
        line = reminder(state, manager.status().problem) if state is not None else None
        if line:
            print(line, file=sys.stderr)

    manager.observe(remind, events={Event.REMINDER})


def parse(parser: argparse.ArgumentParser, line: str) -> argparse.Namespace:
    """The line split as a shell splits it (quotes removed), then read by argparse; one line on any mistake."""
    try:
        words = shlex.split(line, posix=True)
    except ValueError as exc:  # unbalanced quotes
        raise UsageError(f"Cannot read the arguments: {exc}.") from None
    try:
        args = parser.parse_args(words)
    except UsageError as exc:
        raise UsageError(" ".join(str(exc).split())) from None
    return args  # --mfa-token's value is a Code already: its repr is masked, for %xmode Verbose


def _given(args: argparse.Namespace, flags: tuple[str, ...]) -> list[str]:
    return [flag for flag in flags if getattr(args, DESTS.get(flag, flag[2:].replace("-", "_"))) not in (None, False)]


def contradiction(args: argparse.Namespace) -> str | None:
    """Why the flags of a %awsrole line cannot all be honoured, or None."""
    actions, options = _given(args, ACTIONS), _given(args, OPTIONS)
    if len(actions) > 1:
        return f"{' and '.join(actions)} cannot be used together."
    if actions and options:
        return f"{actions[0]} takes no {options[0]}."
    if actions == ["--console"] and len(args.profile) > 1:
        return "--console takes one service at most: %awsrole --console [SERVICE]."
    exporting = _given(args, EXPORTING)
    if exporting and actions != ["--export"]:
        return f"{exporting[0]} goes with --export: %awsrole --export PROFILE {exporting[0]}."
    if actions == ["--export"] and len(args.profile) != 1:
        return "--export takes one profile: %awsrole --export PROFILE [--as NAME] [--yes]."
    if actions and actions[0] not in ("--list", "--console", "--export") and args.profile:
        return f"{actions[0]} takes no profile: %awsrole {actions[0]}."
    if not actions and options and not args.profile:
        return f"{options[0]} goes with a profile: %awsrole PROFILE {options[0]}."
    if not actions and len(args.profile) > 1:
        return "One profile at a time; quote a name that has spaces: %awsrole 'my profile'."
    return None


@magics_class
class AwsRoleMagics(Magics):
    """The magics; all logic lives in RoleManager."""

    def __init__(self, shell: Any, manager: RoleManager) -> None:
        super().__init__(shell)
        self.manager = manager
        tell_reminders(manager)
        if manager.presenter is None:
            manager.presenter = LoginView()  # SSO sign-ins show their link and code in the running cell

    def _read(self, func: Any, line: str) -> argparse.Namespace:
        """Mask an MFA code in this cell's history first: a line that fails to parse must not keep it."""
        if history.carries_code(line):
            history.scrub(self.shell, line)
        args = parse(func.parser, line)
        problem = contradiction(args)
        if problem:
            raise UsageError(problem)
        return args

    @line_magic
    @_arguments
    def awsrole(self, line: str = "") -> None:
        """Assume an AWS role profile in this kernel: %awsrole PROFILE [options]; --list, --unset."""
        args = self._read(self.awsrole, line)
        del line  # it may hold the MFA code; args holds it masked
        before = self.manager.active
        try:
            self._act(args)
        except AwsRoleError as exc:
            message = said(exc)
        except KeyboardInterrupt:
            message = self._interrupted(before)
        else:
            return
        raise UsageError(message)  # outside the except: no traceback, no frame with the interrupted call's locals

    def _act(self, args: argparse.Namespace) -> None:
        if args.list:
            active = self.manager.active.profile if self.manager.active else None
            words = " ".join(args.profile)
            page = self.manager.list_page(words, 0, ProfileTable.max_rows)  # MFA states of the shown rows only
            display(ProfileTable([*page.rows, *self.manager.list_profiles(words)[len(page.rows) :]], active))
        elif args.unset:
            print(
                "Back to the environment from before the first switch."
                if self.manager.unset()
                else "No role was assumed; nothing to undo."
            )
        elif args.forget:
            from .comm import forget_remembered

            print(
                "Asked the notebook to forget the profile it remembers."
                if forget_remembered()
                else "No notebook front end is listening to this kernel; nothing to forget."
            )
        elif args.provenance:
            print(provenance_switched(args.provenance == "on"))
        elif args.console:
            self._open_console(args.profile[0] if args.profile else None)
        elif args.picker:
            from .role_picker import picker

            display(picker(self.manager))
        elif args.export:
            from .config_export import export

            print(export(self.manager.store, args.profile[0], getattr(args, "as"), yes=args.yes))
        elif args.profile:
            code = TrackedCode(args.mfa_token) if args.mfa_token else None
            print(confirmation(self.manager.assume(args.profile[0], mfa=code, **Options.pick(vars(args)))))
            if code is not None and not code.used:
                print(CODE_NOT_NEEDED)
        else:
            state = self.manager.active
            display(StatusView(state, mfa_state_now(self.manager, state.profile) if state else ""))
            if not provenance.enabled():
                print("Provenance is off: cells record no role (%awsrole --provenance on).")

    def _open_console(self, service: str | None) -> None:
        """Hand the sign-in link to the lab, which opens it in a new tab: it never reaches an output or a log."""
        link = self.manager.console_link(service)
        from . import comm

        if comm.open_console(link):
            print(f"Opening the AWS console as {link.profile} (link valid 15 minutes).")
        else:
            print(NO_CONSOLE_FRONT_END)

    def _interrupted(self, before: RoleState | None) -> str:
        """What an interrupted switch left: the manager changes all or nothing."""
        now = self.manager.active
        if now is before:
            return INTERRUPTED
        return f"Interrupted; now {now.profile}." if now is not None else "Interrupted; no role is assumed now."

    @cell_magic("awsrole")
    @_arguments
    def awsrole_cell(self, line: str, cell: str) -> None:
        """Run one cell as a role: %%awsrole PROFILE [options]; the previous state comes back after."""
        args = self._read(self.awsrole_cell, line)
        del line
        if len(args.profile) != 1 or _given(args, ACTIONS):
            raise UsageError("%%awsrole needs a profile: %%awsrole PROFILE [options].")
        assert self.shell is not None  # a magic runs in a shell
        scope = self._enter(args)
        try:
            result = self.shell.run_cell(cell, store_history=False)
        finally:
            scope.__exit__(None, None, None)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            raise UsageError(f"The cell raised {type(error).__name__}; the previous AWS state is back.")

    def _enter(self, args: argparse.Namespace) -> contextlib.AbstractContextManager[RoleState]:
        """The role's scope, entered; a failure or an interrupt is one line and changes nothing."""
        before = self.manager.active
        scope = self.manager.scoped(args.profile[0], mfa=args.mfa_token, **Options.pick(vars(args)))
        try:
            scope.__enter__()
        except AwsRoleError as exc:
            message = said(exc)
        except KeyboardInterrupt:
            message = self._interrupted(before)
        else:
            return scope
        raise UsageError(message)


def provenance_switched(on: bool) -> str:
    """Turn provenance on or off in the kernel, tell the notebook front end (which keeps it), and say so."""
    from . import comm

    was = provenance.enabled()
    provenance.set_enabled(on)
    told = comm.tell_provenance(on)
    return (
        f"Provenance {'on' if on else 'off'}{'' if was != on else ' (as it was)'}: "
        + (PROVENANCE_ON if on else PROVENANCE_OFF)
        + ("; the notebook was told and keeps it." if told else "; no notebook front end was told (none listens).")
    )


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
        names = manager.profile_names()
    except AwsRoleError:
        return []
    return [n for n in names if n.startswith(current)]
