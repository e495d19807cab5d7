"""TOTP codes for the virtual MFA device, shared by the server's check and the test helpers."""

from __future__ import annotations

import time

import pyotp

STEP_SECONDS = 30


def code(seed: str, offset_steps: int = 0, at: float | None = None) -> str:
    """The code shown by an authenticator app now, or offset_steps windows away."""
    moment = (time.time() if at is None else at) + offset_steps * STEP_SECONDS
    return pyotp.TOTP(seed).at(moment)


def window_at(moment: float) -> int:
    """The number of the 30 s window a moment falls in (the TOTP counter)."""
    return int(moment // STEP_SECONDS)


def at_window(seed: str, window: int) -> str:
    """The code of one 30 s window."""
    return pyotp.TOTP(seed).generate_otp(window)


def wrong_code(seed: str, window: int | None = None) -> str:
    """A well-formed code that stays invalid even if a window boundary passes meanwhile."""
    now = window_at(time.time()) if window is None else window
    taken = {at_window(seed, now + offset) for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in range(0, 1_000_000, 111_111) if f"{n:06d}" not in taken)
