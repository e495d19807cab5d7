"""What the RoleManager tells its observers, as types: the events, and the problem a renewal ran into."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Event(str, enum.Enum):
    """A change of the kernel's role (a str, so `event == "assumed"` holds for callers of old)."""

    ASSUMED = "assumed"
    UNSET = "unset"
    RESTORED = "restored"
    REFRESHED = "refreshed"
    NEEDS_MFA = "needs-mfa"
    REFRESH_FAILED = "refresh-failed"
    # Not a change: the check before a cell has something to tell (see RoleManager.status()).
    REMINDER = "reminder"
    # Not changes either: an SSO sign-in waits for approval (RoleManager.login holds its link and code), or ended.
    SSO_LOGIN = "sso-login"
    SSO_LOGIN_ENDED = "sso-login-ended"

    def __str__(self) -> str:
        return self.value


CHANGES = frozenset(Event) - {Event.REMINDER, Event.SSO_LOGIN, Event.SSO_LOGIN_ENDED}  # observe()'s default


class ProblemKind(str, enum.Enum):
    """Why the active role could not be renewed."""

    NEEDS_MFA = "needs-mfa"
    REFRESH_FAILED = "refresh-failed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Problem:
    """What stands in the way of renewing the active role; `message` is one neutral line, never a secret."""

    kind: ProblemKind
    message: str
