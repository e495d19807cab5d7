"""The MFA clock and the codes each device has used, so a code works once, as in AWS."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from . import totp

# Windows accepted either side of now for clock drift (as AWS does).
DRIFT_WINDOWS = 1


class CodeLedger:
    """Checks codes against the local AWS's MFA clock and hands out codes nobody has used yet.

    Handing out never waits for a new 30 s window: when every accepted code is taken, the MFA
    clock steps one window ahead (real time catches up later), so a test suite sharing one
    local AWS can take many codes a minute.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._stepped_to = 0  # the window the clock was stepped ahead to, if real time is behind it
        self._used: dict[str, set[int]] = {}
        self._handed: dict[str, set[int]] = {}
        self._allow_reuse = False

    @property
    def allow_reuse(self) -> bool:
        return self._allow_reuse

    def set_allow_reuse(self, allowed: bool) -> None:
        """Let used codes pass again (benchmarks that time one code in a loop); AWS never does."""
        self._allow_reuse = bool(allowed)

    def window(self) -> int:
        """The current 30 s window of the MFA clock."""
        with self._lock:
            return self._window()

    def accept(self, serial: str, seed: str, token: str) -> bool:
        """Whether token is a code of an accepted window not used before; a yes uses it up."""
        with self._lock:
            now = self._window()
            used = self._used.setdefault(serial, set())
            for window in range(now - DRIFT_WINDOWS, now + DRIFT_WINDOWS + 1):
                if totp.at_window(seed, window) == token and (self._allow_reuse or window not in used):
                    used.add(window)
                    self._forget_before(now - DRIFT_WINDOWS)
                    return True
            return False

    def hand_out(self, serial: str, seed: str) -> str:
        """A code of the device that the gate accepts now, not used and not handed out before."""
        with self._lock:
            now = self._window()
            taken = self._used.setdefault(serial, set()) | self._handed.setdefault(serial, set())
            # The newest windows first: their codes stay valid the longest.
            free = [w for w in range(now + DRIFT_WINDOWS, now - 1, -1) if w not in taken]
            if free:
                window = free[0]
            else:
                self._stepped_to = now + 1
                window = self._stepped_to + DRIFT_WINDOWS
            self._handed[serial].add(window)
            self._forget_before(self._window() - DRIFT_WINDOWS)
            return totp.at_window(seed, window)

    def _window(self) -> int:
        return max(totp.window_at(self._clock()), self._stepped_to)

    def _forget_before(self, oldest: int) -> None:
        for windows in (*self._used.values(), *self._handed.values()):
            windows.difference_update({w for w in windows if w < oldest})
