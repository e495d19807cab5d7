"""One small family of exceptions whose messages fit on one line and never hold a secret."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar


class AwsRoleError(Exception):
    """Anything the user can fix; front ends show str(error) as a one-line message.

    `field` names the argument at fault (`duration`, `region`...); the message then starts with that name,
    so that each front end can say it in its own words (`--duration` in the magic).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.field = field

    def naming(self, labels: Mapping[str, str]) -> str:
        """The message with the field called as a front end calls it (`labels` maps field -> label)."""
        message = str(self)
        if self.field is not None and self.field in labels and message.startswith(self.field):
            return labels[self.field] + message[len(self.field) :]
        return message


class ProfileError(AwsRoleError):
    """The AWS config does not describe a usable profile; found before any network call."""


class MfaError(AwsRoleError):
    """No acceptable MFA code could be had (bad format, wrong code, nobody to ask)."""


class MfaRequired(MfaError):
    """A code is needed but the caller asked not to be prompted (automatic refresh)."""


class StsError(AwsRoleError):
    """STS refused, throttled or could not be reached."""


T = TypeVar("T")


def call_cleanly(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `func`; an AwsRoleError or KeyboardInterrupt leaves as a fresh copy raised here, so a verbose
    traceback shows none of the frames below, whose locals hold credentials."""
    failure: BaseException | None = None
    try:
        return func(*args, **kwargs)
    except AwsRoleError as exc:
        failure = type(exc)(str(exc), field=exc.field)
    except KeyboardInterrupt:
        failure = KeyboardInterrupt()
    raise failure from None  # outside the except block: no context to carry along either
