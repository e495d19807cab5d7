"""How states and profile lists look: plain text for terminals, HTML for notebooks; never a secret."""

from __future__ import annotations

import html
from collections.abc import Sequence

from .credentials import RoleState, utcnow
from .events import Problem, ProblemKind
from .listing import NO_MFA, ProfileInfo
from .sso_login import LoginPrompt


def minutes(seconds: float) -> str:
    """'52 min', for one-line messages."""
    return f"{max(0, int(seconds // 60))} min"


def time_left(state: RoleState) -> str:
    """'52 min' / 'expired', for one-line confirmations."""
    left = state.seconds_left(utcnow())
    return "expired" if left <= 0 else minutes(left)


def confirmation(state: RoleState) -> str:
    """The one line printed after a switch."""
    region = f", region {state.region}" if state.region else ""
    narrowed = f", {state.narrowing}" if state.narrowing else ""
    return (
        f"Now {state.role_name} in account {state.account} (profile {state.profile}{region}{narrowed});"
        f" {lifetime(state)}."
    )


def lifetime(state: RoleState) -> str:
    """When the credentials end, or that they do not (long-term keys, read again from the profile hourly)."""
    if state.long_term:
        return "long-term keys, no expiry"
    return f"expires {state.expiration:%H:%M} UTC, in {time_left(state)}"


class StatusView:
    """`%awsrole` with no argument: who this kernel runs as."""

    def __init__(self, state: RoleState | None, mfa: str = "") -> None:
        self.state = state
        self.mfa = mfa  # listing.mfa_state of the profile, as the switcher and the picker say it

    def _rows(self) -> list[tuple[str, str]]:
        s = self.state
        if s is None:
            return []
        return [
            ("profile", s.profile),
            ("role", s.role_arn),
            ("session", s.session_arn),
            ("account", s.account),
            ("region", s.region or "(not set by the profile)"),
            (
                "expires",
                "never (long-term keys)"
                if s.long_term
                else f"{s.expiration:%Y-%m-%d %H:%M:%S} UTC ({time_left(s)} left)",
            ),
            *([("narrowed", s.narrowing)] if s.narrowing else []),
            *([("MFA", self.mfa)] if self.mfa else []),
        ]

    def __repr__(self) -> str:
        if self.state is None:
            return "No role assumed in this kernel (%awsrole PROFILE to assume one)."
        return "\n".join(f"{key:>8}: {value}" for key, value in self._rows())

    def _repr_html_(self) -> str:
        if self.state is None:
            return "<p>No role assumed in this kernel (<code>%awsrole PROFILE</code> to assume one).</p>"
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._rows()
        )
        return f"<table class='jupyter-awsrole-status'>{body}</table>"


class ProfileTable:
    """`%awsrole --list`: every profile and what switching to it involves."""

    columns = ("profile", "kind", "role", "source", "MFA", "region")
    max_rows = 200

    def __init__(self, rows: Sequence[ProfileInfo], active: str | None = None) -> None:
        self.rows = rows
        self.active = active

    @property
    def _more(self) -> str:
        hidden = len(self.rows) - self.max_rows
        return f"... {hidden} more; narrow with %awsrole --list WORDS" if hidden > 0 else ""

    def _cells(self) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = []
        for r in self.rows[: self.max_rows]:
            mark = "*" if r.name == self.active else ""
            role = r.role_arn if not r.problem else f"{r.role_arn} [{r.problem}]"
            mfa = "" if r.mfa_state == NO_MFA else r.mfa_state
            out.append((mark + r.name, r.kind, role, r.source, mfa, r.region))
        return out

    def __repr__(self) -> str:
        cells = [self.columns, *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        text = "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in cells)
        return f"{text}\n{self._more}" if self._more else text

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{c}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._cells()
        )
        more = f"<p>{html.escape(self._more)}</p>" if self._more else ""
        return f"<table class='jupyter-awsrole-list'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def reminder(state: RoleState, problem: Problem | None) -> str | None:
    """The line told before a cell when the role expired or cannot be renewed, in the magic's words."""
    left = state.seconds_left()
    if left <= 0:
        return (
            f"awsrole: the credentials of profile '{state.profile}' expired at"
            f" {state.expiration:%H:%M} UTC; run %awsrole {state.profile} to assume it again."
        )
    if problem is None:
        return None
    if problem.kind is ProblemKind.NEEDS_MFA:
        return (
            f"awsrole: profile '{state.profile}' expires in {minutes(left)} and renewing it needs"
            f" a new MFA code: run %awsrole {state.profile} --refresh."
        )
    return f"awsrole: could not renew profile '{state.profile}' ({minutes(left)} left): {problem.message}"


class LoginText:
    """An SSO sign-in waiting for approval: the link (clickable, the code in it), the code, the time left."""

    def __init__(self, prompt: LoginPrompt, outcome: str | None = None) -> None:
        self.prompt = prompt
        self.outcome = outcome

    def _left(self) -> str:
        left = max(0, int(self.prompt.seconds_left()))
        return f"{left // 60}:{left % 60:02d}"

    def __repr__(self) -> str:
        if self.outcome is not None:
            return self.outcome
        p = self.prompt
        return (
            f"SSO sign-in for profile {p.profile}: open {p.verification_uri_complete} and check that it shows"
            f" the code {p.user_code}. Waiting for approval, {self._left()} left (interrupt the kernel to stop)."
        )

    def _repr_html_(self) -> str:
        if self.outcome is not None:
            return f"<p class='jupyter-awsrole-login'>{html.escape(self.outcome)}</p>"
        p = self.prompt
        link = html.escape(p.verification_uri_complete, quote=True)
        return (
            "<div class='jupyter-awsrole-login'>"
            f"<p>SSO sign-in for profile <b>{html.escape(p.profile)}</b> ({html.escape(p.start_url)}):"
            f" <a href='{link}' target='_blank' rel='noopener'>open the sign-in page</a>"
            f" and check that it shows the code <code style='font-size:1.2em'>{html.escape(p.user_code)}</code>.</p>"
            f"<p>Waiting for approval: {self._left()} left (interrupt the kernel to stop).</p></div>"
        )


class LoginView:
    """Shows an SSO sign-in in the running cell, updating its countdown in place; the core prints nothing."""

    def __init__(self) -> None:
        self._handle: object | None = None
        self._shown = 0.0

    def show(self, prompt: LoginPrompt) -> None:
        from IPython.display import display

        self._handle = display(LoginText(prompt), display_id=True)
        self._shown = prompt.seconds_left()

    def tick(self, prompt: LoginPrompt) -> None:
        left = prompt.seconds_left()
        if self._handle is not None and self._shown - left >= 5:  # every 5 s is a countdown, not a flood
            self._shown = left
            self._handle.update(LoginText(prompt))  # type: ignore[attr-defined]

    def finish(self, prompt: LoginPrompt | None, outcome: str, ok: bool) -> None:
        """Success replaces the link with one line; a failure removes it (the error is the one line)."""
        if self._handle is not None and prompt is not None:
            self._handle.update(LoginText(prompt, outcome if ok else "SSO sign-in ended."))  # type: ignore[attr-defined]
        self._handle = None
