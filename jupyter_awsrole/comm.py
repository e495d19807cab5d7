"""The Jupyter comm the lab extension talks through: the role pushed on every change; list, assume, unset asked.

No message ever has a top-level "state" key: nbclient (nbconvert --execute, papermill) takes any comm
message with one for widget state and crashes on it.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from .credentials import RoleState
from .errors import AwsRoleError, MfaRequired
from .manager import RoleManager
from .mfa import NoPrompt

log = logging.getLogger(__name__)

TARGET = "jupyter_awsrole"
MAX_MESSAGE_BYTES = 16 * 1024
REQUESTS = ("role", "list", "needs_code", "assume", "unset")


def role_payload(state: RoleState | None) -> dict[str, Any] | None:
    """What the frontend may know of a role: never a secret."""
    return state.public() if state is not None else None


class CommChannel:
    """Every open comm of this kernel, answering requests and pushing each change of role to all of them."""

    def __init__(self, manager: RoleManager) -> None:
        self.manager = manager
        self._comms: list[Any] = []
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._listed: tuple[Any, list[dict[str, Any]]] = (None, [])
        manager.observe(self._changed)

    # -- wiring ----------------------------------------------------------------------

    def register(self, kernel: Any) -> None:
        """Accept comms the frontend opens, and open one towards it so it learns of us at once."""
        kernel.comm_manager.register_target(TARGET, self._opened_by_frontend)
        try:
            from comm import create_comm

            self.attach(create_comm(target_name=TARGET, data=self._push_message()))
        except Exception:  # no frontend listening yet: it will open its own comm
            log.debug("jupyter-awsrole: could not open a comm to the frontend", exc_info=True)

    def _opened_by_frontend(self, comm: Any, open_msg: dict) -> None:
        self.attach(comm)
        comm.send(self._push_message())

    def attach(self, comm: Any) -> None:
        """Serve one comm until it closes."""
        with self._lock:
            self._comms.append(comm)
        comm.on_msg(lambda msg: self._received(comm, msg))
        comm.on_close(lambda _msg: self._detach(comm))

    def _detach(self, comm: Any) -> None:
        with self._lock:
            if comm in self._comms:
                self._comms.remove(comm)

    # -- pushing ---------------------------------------------------------------------

    def _push_message(self) -> dict[str, Any]:
        return {"event": "role", "role": role_payload(self.manager.active), "problem": self._problem}

    def _changed(self, event: str, state: RoleState | None) -> None:
        self._problem = "needs-mfa" if event == "needs-mfa" else (
            self.manager.last_problem if event == "refresh-failed" else None)
        message = self._push_message()
        with self._lock:
            comms = list(self._comms)
        for comm in comms:
            try:
                comm.send(message)
            except Exception:
                log.debug("jupyter-awsrole: a comm could not be told", exc_info=True)

    # -- answering -------------------------------------------------------------------

    def _received(self, comm: Any, msg: dict) -> None:
        data = msg.get("content", {}).get("data")
        request_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), (str, int)) else None
        try:
            reply = self.handle(data)
        except Exception as exc:  # the kernel must survive any message
            log.warning("jupyter-awsrole: comm request failed", exc_info=True)
            reply = {"ok": False, "error": f"Internal error: {type(exc).__name__}."}
        reply["id"] = request_id
        comm.send(reply)

    def handle(self, data: Any) -> dict[str, Any]:
        """Answer one request; malformed ones get an error, never an exception."""
        if not isinstance(data, dict):
            return {"ok": False, "error": "A request must be a JSON object."}
        if len(json.dumps(data, default=str)) > MAX_MESSAGE_BYTES:
            return {"ok": False, "error": "Request too large."}
        request = data.get("request")
        if request not in REQUESTS:
            return {"ok": False, "error": f"Unknown request {str(request)[:40]!r}; use one of {', '.join(REQUESTS)}."}
        try:
            if request == "role":
                return {"ok": True, "role": role_payload(self.manager.active), "problem": self._problem}
            if request == "list":
                return {"ok": True, "profiles": self._profile_rows()}
            if request == "unset":
                self.manager.unset()
                return {"ok": True, "role": None}
            profile = data.get("profile")
            if not isinstance(profile, str) or not profile.strip() or len(profile) > 256:
                return {"ok": False, "error": "Name a profile (a non-empty string)."}
            if request == "needs_code":
                return {"ok": True, "needs_code": self.manager.needs_code(profile)}
            return self._assume(profile, data.get("mfa_code"))
        except AwsRoleError as exc:
            return {"ok": False, "error": str(exc)}

    def _assume(self, profile: str, code: Any) -> dict[str, Any]:
        if code is not None and not isinstance(code, str):
            return {"ok": False, "error": "An MFA code is 6 digits."}
        try:
            state = self.manager.assume(profile, mfa=code if code else NoPrompt())
        except MfaRequired:
            return {"ok": False, "needs_code": True, "error": "Type the MFA code for this profile."}
        return {"ok": True, "role": role_payload(state)}

    def _profile_rows(self) -> list[dict[str, Any]]:
        """The list answer, rebuilt only when the config files changed (5,000 profiles are common)."""
        profiles = self.manager.store.profiles()
        if self._listed[0] is not profiles:
            self._listed = (profiles, [self._profile_row(p) for p in self.manager.list_profiles()])
        return self._listed[1]

    @staticmethod
    def _profile_row(info: Any) -> dict[str, Any]:
        return {
            "name": info.name, "kind": info.kind, "role_arn": info.role_arn, "source": info.source,
            "mfa": info.mfa, "region": info.region, "problem": info.problem,
        }


_channel: CommChannel | None = None


def install(kernel: Any, manager: RoleManager) -> CommChannel | None:
    """Register the comm target once per kernel; nothing to do outside a kernel (terminal IPython)."""
    global _channel
    if kernel is None or not hasattr(kernel, "comm_manager"):
        return None
    if _channel is None:
        _channel = CommChannel(manager)
        _channel.register(kernel)
    return _channel
