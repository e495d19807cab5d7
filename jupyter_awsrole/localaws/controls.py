"""Counters and a fault switch for the STS endpoint, so tests can see and disturb what clients do."""

from __future__ import annotations

import threading
from collections import Counter

FAULTS = ("ok", "throttle", "hang")
HANG_SECONDS = 60.0


class Controls:
    """STS call counts per Action, MFA checks, and the current STS fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._mfa = Counter({"checked": 0, "rejected": 0})
        self._fault = "ok"
        self._released = threading.Event()
        self._released.set()

    def count_call(self, action: str) -> None:
        with self._lock:
            self._calls[action] += 1

    def count_mfa(self, accepted: bool) -> None:
        with self._lock:
            self._mfa["checked"] += 1
            self._mfa["rejected"] += 0 if accepted else 1

    def stats(self) -> dict:
        """A JSON-ready snapshot."""
        with self._lock:
            return {
                "sts": dict(self._calls),
                "sts_total": sum(self._calls.values()),
                "mfa_checked": self._mfa["checked"],
                "mfa_rejected": self._mfa["rejected"],
                "faults": {"sts": self._fault},
            }

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._mfa = Counter({"checked": 0, "rejected": 0})

    @property
    def fault(self) -> str:
        return self._fault

    def set_fault(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
        with self._lock:
            self._fault = fault
            if fault == "hang":
                self._released.clear()
            else:
                self._released.set()

    def wait_out_hang(self, limit: float = HANG_SECONDS) -> None:
        """Block a hanging request until the fault is lifted or the limit passes."""
        self._released.wait(limit)

    def release(self) -> None:
        """Let hanging requests go, e.g. at shutdown."""
        self._released.set()
