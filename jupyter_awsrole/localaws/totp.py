"""TOTP codes for the virtual MFA device, shared by the server's check and the test helpers."""

from __future__ import annotations

import time

import pyotp

STEP_SECONDS = 30


def code(seed: str, offset_steps: int = 0, at: float | None = None) -> str:
    """The code shown by an authenticator app now, or offset_steps windows away."""
    moment = (time.time() if at is None else at) + offset_steps * STEP_SECONDS
    return pyotp.TOTP(seed).at(moment)


def verify(seed: str, token: str) -> bool:
    """Whether token is valid now, allowing one window of clock drift either side (as AWS does)."""
    return pyotp.TOTP(seed).verify(token, valid_window=1)


def wrong_code(seed: str) -> str:
    """A well-formed code that stays invalid even if a window boundary passes meanwhile."""
    now = time.time()
    taken = {code(seed, offset, now) for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in range(0, 1_000_000, 111_111) if f"{n:06d}" not in taken)
