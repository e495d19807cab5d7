"""Where MFA codes come from (kernel stdin, an explicit code, a callable) and the format check."""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable
from typing import Protocol

from .errors import MfaError, MfaRequired

MAX_ATTEMPTS = 3
_CODE = re.compile(r"^\d{6}$")


class MfaSource(Protocol):
    """Asked for a code for one MFA device; `retry` says the previous code was refused."""

    interactive: bool

    def __call__(self, serial: str, retry: str | None = None) -> str: ...


class StdinPrompt:
    """The kernel's password box: getpass looked up at call time, since ipykernel swaps it per cell."""

    interactive = True

    def __call__(self, serial: str, retry: str | None = None) -> str:
        prompt = f"MFA code for {serial}: "
        if retry:
            prompt = f"{retry} {prompt}"
        try:
            return getpass.getpass(prompt)
        except (EOFError, OSError) as exc:
            raise MfaError(
                f"No way to ask for the MFA code of {serial} here ({type(exc).__name__});"
                " pass --mfa-token CODE or mfa=callable."
            ) from None
        except Exception as exc:
            if type(exc).__name__ == "StdinNotImplementedError":
                raise MfaError(
                    f"This frontend cannot ask for the MFA code of {serial}; pass --mfa-token CODE or mfa=callable."
                ) from None
            raise


class FixedCode:
    """A code given up front (`--mfa-token`); it is used once and never asked again."""

    interactive = False

    def __init__(self, code: str) -> None:
        self._code = code

    def __repr__(self) -> str:
        return "FixedCode(****)"

    def __call__(self, serial: str, retry: str | None = None) -> str:
        if retry:
            raise MfaError(retry)
        return self._code


class CallableSource:
    """A user function `f(serial) -> code`, e.g. a TOTP generator for automation."""

    interactive = True

    def __init__(self, func: Callable[[str], str]) -> None:
        self._func = func

    def __call__(self, serial: str, retry: str | None = None) -> str:
        return str(self._func(serial))


class NoPrompt:
    """For automatic refresh: any need for a code is reported, never asked."""

    interactive = False

    def __call__(self, serial: str, retry: str | None = None) -> str:
        raise MfaRequired(f"A new MFA code for {serial} is needed.")


MfaInput = MfaSource | Callable[[str], str] | str | None  # what `mfa=` takes: a source, a function, a code


def as_source(mfa: MfaInput) -> MfaSource:
    """Turn what a user passed (nothing, a code, a function) into an MfaSource."""
    if mfa is None:
        return StdinPrompt()
    if isinstance(mfa, str):
        return FixedCode(mfa)
    if hasattr(mfa, "interactive"):
        return mfa  # type: ignore[return-value]
    if callable(mfa):
        return CallableSource(mfa)
    raise TypeError("mfa must be a 6-digit code, a callable or None")


def read_code(source: MfaSource, serial: str, retry: str | None = None) -> str:
    """A well-formed code from `source`, asking again up to MAX_ATTEMPTS times; never echoes it."""
    message = retry
    for _ in range(MAX_ATTEMPTS):
        code = source(serial, message).strip().replace(" ", "")
        if _CODE.match(code):
            return code
        message = "An MFA code is 6 digits."
        if not source.interactive:
            break
    raise MfaError(f"No valid MFA code for {serial}: an MFA code is 6 digits. Nothing was changed.")
