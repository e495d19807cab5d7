"""One sleeping thread per manager that wakes at the next renewal: a switch only moves its deadline."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class Alarm:
    """Calls `callback` once at the time last set; setting again or cancelling replaces that time.

    A threading.Timer per switch cost a thread start (~0.2 ms) on every switch; this thread starts once.
    """

    def __init__(self, callback: Callable[[], None], name: str) -> None:
        self._callback = callback
        self._name = name
        self._due = math.inf
        self._wake = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None

    def set(self, due: float) -> None:
        """Ring at `due` (time.time() seconds) instead of any earlier setting."""
        with self._wake:
            self._due = due
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._wake.notify()

    def cancel(self) -> None:
        """Ring at no time until set again."""
        with self._wake:
            self._due = math.inf
            self._wake.notify()

    @property
    def due(self) -> float:
        return self._due

    def _run(self) -> None:
        while True:
            with self._wake:
                while (left := self._due - time.time()) > 0:
                    self._wake.wait(None if math.isinf(left) else left)
                self._due = math.inf
            self._callback()  # outside the condition: the callback may set the alarm again
