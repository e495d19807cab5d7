"""The Jupyter comm the lab extension talks through: the role pushed on every change; list, assume, unset asked.

The messages are those of protocol.py (no top-level "state" key: nbclient takes one for widget state).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any, cast

from .compat import register_comm_target
from .credentials import RoleState
from .errors import AwsRoleError
from .events import Event, Problem
from .manager import RoleManager, Status
from .options import Options
from .protocol import (
    MAX_MESSAGE_BYTES,
    REQUESTS,
    TARGET,
    Answer,
    ConsolePush,
    ForgetPush,
    LoginPush,
    ProblemInfo,
    ProvenancePush,
    Reply,
    RequestId,
    RoleInfo,
    RolePush,
    SharingInfo,
)

if TYPE_CHECKING:
    from .console import ConsoleLink  # the link, only once one is asked for (urllib)

log = logging.getLogger(__name__)

__all__ = [
    "MAX_MESSAGE_BYTES",
    "REQUESTS",
    "TARGET",
    "CommChannel",
    "forget_remembered",
    "install",
    "open_console",
    "role_payload",
    "tell_provenance",
]

PAGE_FIELDS = ("filter", "offset", "limit")  # a "list" request with any of them gets one page and the total


def role_payload(state: RoleState | None) -> RoleInfo | None:
    """What the frontend may know of a role: never a secret."""
    return cast(RoleInfo, state.public()) if state is not None else None


def problem_payload(problem: Problem | None) -> ProblemInfo | None:
    """Why the role could not be renewed, as {kind, message}."""
    return cast(ProblemInfo, {"kind": problem.kind.value, "message": problem.message}) if problem is not None else None


def sharing_payload() -> SharingInfo | None:
    """The Dask clusters the role is shared with, when there are any (sharing.py is loaded only once used)."""
    sharing = sys.modules.get(f"{__package__}.sharing")
    shared = sharing.summary() if sharing is not None else None
    return cast(SharingInfo, shared) if shared and shared["clusters"] else None


def push_message(status: Status) -> RolePush:
    """The message every comm gets when one opens and on every change of role (or of the clusters sharing it)."""
    message: RolePush = {"event": "role", "role": role_payload(status.role), "problem": problem_payload(status.problem)}
    shared = sharing_payload()
    if shared is not None:
        message["sharing"] = shared
    return message


def login_message(manager: RoleManager) -> LoginPush:
    """The SSO sign-in waiting for approval (its link and code, meant to be shown), or None once it ended."""
    prompt = manager.login
    return {"event": "sso-login", "login": cast(Any, prompt.public()) if prompt is not None else None}


class CommChannel:
    """Every open comm of this kernel, answering requests and pushing each change of role to all of them."""

    def __init__(self, manager: RoleManager) -> None:
        self.manager = manager
        self._comms: list[Any] = []
        self._heard: list[Any] = []  # comms a front end has spoken on: someone listens at the other end
        self._lock = threading.Lock()
        manager.observe(self._changed)
        manager.observe(self._login_changed, {Event.SSO_LOGIN, Event.SSO_LOGIN_ENDED})
        from . import sharing  # no dask: it imports distributed only when a share starts

        sharing.watch(lambda _summary: self._changed(Event.ASSUMED, None))

    # -- wiring ----------------------------------------------------------------------

    def register(self, kernel: Any) -> None:
        """Accept comms the frontend opens, and open one towards it so it learns of us at once."""
        register_comm_target(kernel, TARGET, self._opened_by_frontend)
        try:
            from comm import create_comm

            self.attach(create_comm(target_name=TARGET, data=push_message(self.manager.status())))
        except Exception:  # no frontend listening yet: it will open its own comm
            log.debug("jupyter-awsrole: could not open a comm to the frontend", exc_info=True)

    def _opened_by_frontend(self, comm: Any, open_msg: dict) -> None:
        self.attach(comm, heard=True)
        comm.send(push_message(self.manager.status()))

    def attach(self, comm: Any, heard: bool = False) -> None:
        """Serve one comm until it closes; `heard`: the front end opened it, so it listens."""
        with self._lock:
            self._comms.append(comm)
            if heard:
                self._heard.append(comm)
        comm.on_msg(lambda msg: self._received(comm, msg))
        comm.on_close(lambda _msg: self._detach(comm))

    def _detach(self, comm: Any) -> None:
        with self._lock:
            if comm in self._comms:
                self._comms.remove(comm)
            if comm in self._heard:
                self._heard.remove(comm)

    # -- pushing ---------------------------------------------------------------------

    def _changed(self, event: Event, state: RoleState | None) -> None:
        self.tell(push_message(self.manager.status()))

    def _login_changed(self, event: Event, state: RoleState | None) -> None:
        self.tell(login_message(self.manager))

    def tell(
        self, message: RolePush | ForgetPush | LoginPush | ProvenancePush | ConsolePush, heard_only: bool = False
    ) -> int:
        """Send one push to every open comm (or only to those a front end spoke on); how many of them listen.

        A comm the kernel opened counts once the front end has spoken on it: nbclient (headless runs) leaves it
        open without a word, where JupyterLab with the extension answers at once."""
        with self._lock:
            heard = list(self._heard)
            comms = heard if heard_only else list(self._comms)
        for comm in comms:
            try:
                comm.send(message)
            except Exception:
                log.debug("jupyter-awsrole: a comm could not be told", exc_info=True)
        return sum(1 for comm in comms if comm in heard)

    # -- answering -------------------------------------------------------------------

    def _received(self, comm: Any, msg: dict) -> None:
        with self._lock:
            if comm in self._comms and comm not in self._heard:
                self._heard.append(comm)
        data = msg.get("content", {}).get("data")
        request_id: RequestId = (
            data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), (str, int)) else None
        )
        try:
            answer = self.handle(data)
        except Exception as exc:  # the kernel must survive any message
            log.warning("jupyter-awsrole: comm request failed", exc_info=True)
            answer = {"ok": False, "error": f"Internal error: {type(exc).__name__}."}
        reply: Reply = {**answer, "id": request_id}
        comm.send(reply)

    def handle(self, data: Any) -> Answer:
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
                status = self.manager.status()
                return {"ok": True, "role": role_payload(status.role), "problem": problem_payload(status.problem)}
            if request == "list" and any(field in data for field in PAGE_FIELDS):
                return self._page(data)
            if request in ("list", "switchable"):
                listing = self.manager.listing()
                rows = listing.public(switchable=request == "switchable", needs_code=self.manager.needs_code)
                return {"ok": True, "profiles": rows}
            if request == "unset":
                self.manager.unset()
                return {"ok": True, "role": None}
            if request == "provenance":
                return _provenance(data.get("on"))
            if request == "console":
                return self._console(data.get("service"))
            profile = data.get("profile")
            if not isinstance(profile, str) or not profile.strip() or len(profile) > 256:
                return {"ok": False, "error": "Name a profile (a non-empty string)."}
            if request == "needs_code":
                return {"ok": True, "needs_code": self.manager.needs_code(profile)}
            return self._assume(profile, data.get("mfa_code"), Options.parse(Options.pick(data)))
        except AwsRoleError as exc:
            return {"ok": False, "error": str(exc)}

    def _assume(self, profile: str, code: Any, options: Options) -> Answer:
        if code is not None and not isinstance(code, str):
            return {"ok": False, "error": "An MFA code is 6 digits."}
        # An SSO profile may need a sign-in: its link and code reach the lab as an "sso-login" push meanwhile.
        state = self.manager.switch(profile, code, options, sign_in=True)
        if state is None:
            return {"ok": False, "needs_code": True, "error": "Type the MFA code for this profile."}
        return {"ok": True, "role": role_payload(state)}

    def _page(self, data: dict) -> Answer:
        words = data.get("filter", "")
        if not isinstance(words, str) or len(words) > 256:
            return {"ok": False, "error": "A filter is a string of words."}
        page = self.manager.list_page(words, data.get("offset", 0), data.get("limit", 200))  # it checks both
        return {"ok": True, "profiles": page.public(), "total": page.total}

    def _console(self, service: Any) -> Answer:
        if service is not None and (not isinstance(service, str) or not service.strip() or len(service) > 64):
            return {"ok": False, "error": "Name the console's service like s3 or ec2, or none."}
        return {"ok": True, "console_url": self.manager.console_link(service).url}


def _provenance(on: Any) -> Answer:
    """Turn the provenance record of each execute_reply on or off."""
    if not isinstance(on, bool):
        return {"ok": False, "error": "Say whether to record provenance: on is true or false."}
    from . import provenance

    provenance.set_enabled(on)
    return {"ok": True}


_channel: CommChannel | None = None


def forget_remembered() -> bool:
    """Ask every notebook front end on this kernel to drop the profile it remembers; False when none listens."""
    return _channel is not None and _channel.tell({"event": "forget"}) > 0


def tell_provenance(on: bool) -> bool:
    """Tell every notebook front end whether provenance is recorded, to keep in its metadata; False when none listens."""
    return _channel is not None and _channel.tell({"event": "provenance", "on": on}) > 0


def open_console(link: ConsoleLink) -> bool:
    """Offer the console sign-in link to every notebook front end (never stored there); False when none listens."""
    message: ConsolePush = {"event": "console", "url": link.url, "profile": link.profile, "expires_at": link.expires_at}
    return _channel is not None and _channel.tell(message, heard_only=True) > 0  # a credential: to listeners only


def install(kernel: Any, manager: RoleManager) -> CommChannel | None:
    """Register the comm target once per kernel; nothing to do outside a kernel (terminal IPython)."""
    global _channel
    if kernel is None or not hasattr(kernel, "comm_manager"):
        return None
    if _channel is None:
        _channel = CommChannel(manager)
        _channel.register(kernel)
    return _channel
