"""The ipywidgets role picker: choose a profile, type the MFA code inline, see who you are and for how long."""

from __future__ import annotations

import functools
import html
from typing import Any

from . import sharing
from .countdown import countdown_html
from .credentials import RoleState
from .display import LoginText
from .errors import AwsRoleError
from .events import Event
from .listing import CODE_NEEDED, NO_MFA, mfa_state
from .manager import RoleManager

MAX_SHOWN = 200
NO_LAB_FOR_CONSOLE = "Open the AWS console from JupyterLab with the jupyter-awsrole extension: it opens the tab."


@functools.cache
def _code_field_class() -> type:
    """A Password whose value a front end sets is never echoed back to every front end on iopub."""
    import ipywidgets as w
    from traitlets import Unicode

    class CodeField(w.Password):
        value = Unicode(help="The MFA code being typed; cleared as soon as it is read").tag(
            sync=True, echo_update=False
        )

    return CodeField


class RolePicker:
    """Widgets over the kernel's RoleManager; every change, from here or elsewhere, redraws every picker."""

    def __init__(self, manager: RoleManager) -> None:
        import ipywidgets as w

        self.manager = manager
        self.filter = w.Text(placeholder="Type to filter profiles", layout=w.Layout(width="280px"))
        self.filter_clear = w.Button(icon="times", tooltip="Clear the filter", layout=w.Layout(width="36px"))
        self.select = w.Select(options=[], rows=8, layout=w.Layout(width="320px"))
        self.more = w.HTML()
        self.details = w.HTML()
        self.code = _code_field_class()(
            placeholder="MFA code, then Enter", continuous_update=False, layout=w.Layout(width="200px", display="none")
        )
        self.assume_button = w.Button(description="Assume", button_style="primary", icon="sign-in")
        self.unset_button = w.Button(
            description="Unset role", icon="sign-out", tooltip="Back to the environment before the first switch"
        )
        self.console_button = w.Button(
            description="Open AWS console",
            icon="external-link",
            tooltip="Sign in to the AWS console as the active role, in a new tab (JupyterLab with the extension)",
        )
        self.status = w.HTML()
        self.error = w.HTML()
        self.login = w.HTML()  # an SSO sign-in waiting for approval: the link and the code, as the magic shows them
        left = w.VBox([w.HBox([self.filter, self.filter_clear]), self.select, self.more])
        right = w.VBox([self.details, w.HBox([self.code, self.assume_button]), self.login, self.error])
        # Unsetting is about the kernel, not the list: it sits with the status line, away from the filter.
        self.widget = w.VBox(
            [w.HBox([left, right]), w.HBox([self.status, self.console_button, self.unset_button])],
            layout=w.Layout(border="1px solid #ccc", padding="6px"),
        )

        self.filter.observe(self._filtered, names="value")
        self.select.observe(self._selected, names="value")
        self.code.observe(self._code_entered, names="value")
        self.assume_button.on_click(lambda _: self._assume(None))
        self.unset_button.on_click(lambda _: self._unset())
        self.console_button.on_click(lambda _: self._open_console())
        self.filter_clear.on_click(lambda _: setattr(self.filter, "value", ""))
        stops = [
            manager.observe(self._changed),
            manager.observe(self._login_changed, {Event.SSO_LOGIN, Event.SSO_LOGIN_ENDED}),
            sharing.watch(lambda _summary: self._draw_status(manager.active)),
        ]
        self._stop_observing = lambda: [stop() for stop in stops]
        self.widget.observe(self._closed, names="comm")

        self._filtered()
        active = manager.active
        if active and active.profile in self.select.options:
            self.select.value = active.profile
        self._draw_status(active)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- choosing --------------------------------------------------------------------

    def _filtered(self, _change: Any = None) -> None:
        try:
            matches = self.manager.switchable(self.filter.value)
        except AwsRoleError as exc:
            self._show_error(str(exc))
            matches = []
        shown = [row.name for row in matches[:MAX_SHOWN]]
        current = self.select.value
        self.select.options = shown
        if current in shown:
            self.select.value = current
        elif len(shown) == 1:
            self.select.value = shown[0]
        hidden = len(matches) - len(shown)
        self.more.value = (
            f"<small>{hidden} more; type to narrow</small>"
            if hidden
            else ("<small>no profile matches</small>" if not matches else "")
        )

    def _selected(self, _change: Any = None) -> None:
        name = self.select.value
        self._show_error("")
        if not name:
            self.details.value = ""
            self._show_code(False)
            return
        try:
            plan = self.manager.plan(name)
            state = mfa_state(name, plan.needs_mfa, self.manager.needs_code)
        except AwsRoleError as exc:
            self.details.value = ""
            self._show_code(False)
            self._show_error(str(exc))
            return
        source = html.escape(plan.source_label or "-")
        role = html.escape(plan.role_arn)
        mfa = state if state == NO_MFA else f"MFA {state}"  # the switcher's and --list's words
        self.details.value = (
            f"<div><b>{html.escape(name)}</b><br><code>{role}</code><br>"
            f"<small>source: {source} · <span class='jupyter-awsrole-mfa'>{mfa}</span></small></div>"
        )
        self._show_code(state == CODE_NEEDED)

    def _show_code(self, visible: bool) -> None:
        self.code.layout.display = "" if visible else "none"

    # -- acting ----------------------------------------------------------------------

    def _code_entered(self, change: Any) -> None:
        code = change["new"]
        if not code:
            return
        self.code.value = ""  # never left in a trait, so a notebook saved with widget state holds no code
        self._assume(code)

    def _assume(self, code: str | None) -> None:
        name = self.select.value
        if not name:
            self._show_error("Choose a profile first.")
            return
        try:
            state = self.manager.switch(name, code, sign_in=True)
        except AwsRoleError as exc:
            self._show_error(str(exc))
            return
        if state is None:
            self._show_code(True)
            self._show_error("Type the MFA code and press Enter.")
        else:
            self._show_error("")
            self._selected()

    def _unset(self) -> None:
        self.manager.unset()
        self._show_error("")

    def _open_console(self) -> None:
        """The lab opens the sign-in link the kernel pushes; the link never enters a trait of this picker."""
        from . import comm

        try:
            offered = comm.open_console(self.manager.console_link())
        except AwsRoleError as exc:
            self._show_error(str(exc))
            return
        self._show_error("" if offered else NO_LAB_FOR_CONSOLE)

    def _show_error(self, message: str) -> None:
        self.error.value = f"<span style='color:#b91c1c'>{html.escape(message)}</span>" if message else ""

    # -- following the kernel --------------------------------------------------------

    def _changed(self, event: Event, state: RoleState | None) -> None:
        self._draw_status(state)
        if event is Event.NEEDS_MFA and state is not None:
            self._show_error(f"Renewing {state.profile} needs a new MFA code.")
        if state is not None and state.profile in self.select.options and self.select.value != state.profile:
            self.select.value = state.profile

    def _login_changed(self, event: Event, state: RoleState | None) -> None:
        prompt = self.manager.login
        self.login.value = LoginText(prompt)._repr_html_() if prompt is not None else ""

    def _draw_status(self, state: RoleState | None) -> None:
        self.console_button.disabled = state is None
        if state is None:
            self.status.value = "<span class='jupyter-awsrole-status'>AWS: no role assumed</span>"
            return
        region = f" · {html.escape(state.region)}" if state.region else ""
        shared = sharing.summary()
        workers = (
            f" · shared with {shared['workers']} Dask worker{'s' if shared['workers'] != 1 else ''}"
            if shared["clusters"]
            else ""
        )
        ends = (
            "long-term keys, no expiry</span>"
            if state.long_term
            else f"expires {state.expiration:%H:%M} UTC · </span>{countdown_html(state)}"
        )
        self.status.value = (
            f"<span class='jupyter-awsrole-status'>AWS: <b>{html.escape(state.profile)}</b> as "
            f"<code>{html.escape(state.role_name)}</code> @ {html.escape(state.account)}{region}{workers} · {ends}"
        )

    def _closed(self, change: Any) -> None:
        if change["new"] is None:
            self._stop_observing()

    def close(self) -> None:
        """Remove this picker's widgets (not the kernel's others) and stop following the kernel."""
        self._stop_observing()

        def close_tree(widget: Any) -> None:
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.widget)


def picker(manager: RoleManager | None = None) -> RolePicker:
    """A role picker bound to this kernel's RoleManager."""
    from .manager import get_manager

    return RolePicker(manager or get_manager())
