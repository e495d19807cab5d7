"""The one object per kernel that owns the active role: switch, scope, unset, refresh, observers."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from . import environment
from .assumer import Assumer, Overrides, Policy
from .cache import CredentialCache, default_cache_dir
from .credentials import RoleState, utcnow
from .errors import AwsRoleError, MfaRequired
from .mfa import CallableSource, NoPrompt, as_source
from .profiles import Plan, ProfileStore, bulk
from .settings import AwsRole
from .sts import Timeouts

log = logging.getLogger(__name__)

Observer = Callable[[str, "RoleState | None"], None]
MIN_REFRESH_INTERVAL = 2.0
RETRY_AFTER_FAILURE = 60.0


@dataclass(frozen=True)
class ProfileInfo:
    """One line of `%awsrole --list`: what a profile is, without resolving anything."""

    name: str
    kind: str
    role_arn: str
    source: str
    mfa: bool
    region: str
    problem: str = ""


class RoleManager:
    """Kernel-side state: every front end (magic, picker, lab extension) drives this object."""

    def __init__(self, settings: AwsRole | None = None) -> None:
        self.settings = settings or AwsRole()
        self.store = ProfileStore()
        self.cache = CredentialCache()
        self.assumer = Assumer(self.cache)
        self.active: RoleState | None = None
        self.baseline: dict[str, str] | None = None
        self.last_problem: str | None = None
        self._request: tuple[Overrides, Any] | None = None
        self._observers: list[Observer] = []
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._next_check = math.inf
        self._needs_mfa = False
        self._rows: list[ProfileInfo] = []
        self._rows_of: Any = None
        self.settings.observe(self._settings_changed, names=["refresh_margin_seconds", "auto_refresh"])

    def _settings_changed(self, _change: Any) -> None:
        with self._lock:
            self._needs_mfa = False
            self._schedule()

    # -- switching -------------------------------------------------------------------

    def _policy(self) -> Policy:
        s = self.settings
        self.cache.enabled = s.cache
        self.cache.directory = os.path.expanduser(s.cache_dir) if s.cache_dir else default_cache_dir()
        margin = float(s.refresh_margin_seconds)
        return Policy(
            min_seconds_left=margin,
            mfa_session_seconds=s.mfa_session_seconds,
            default_duration=s.default_duration or None,
            timeouts=Timeouts(s.sts_connect_timeout, s.sts_read_timeout, s.sts_max_attempts),
        )

    def plan(self, profile: str) -> Plan:
        """Validate a profile without touching the network."""
        if not isinstance(profile, str) or not profile.strip():
            raise AwsRoleError("Name a profile: %awsrole PROFILE (see %awsrole --list).")
        return self.store.plan(profile.strip())

    def assume(
        self,
        profile: str,
        *,
        mfa: Any = None,
        region: str | None = None,
        duration: int | None = None,
        session_name: str | None = None,
        external_id: str | None = None,
        refresh: bool = False,
    ) -> RoleState:
        """Switch the kernel to a role; on any failure the previous credentials stay in place."""
        overrides = _overrides(region, duration, session_name, external_id)
        plan = self.plan(profile)
        source = as_source(mfa)
        with self._lock:
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
            state = self.assumer.resolve(plan, source, baseline, overrides, self._policy(), refresh)
            refresh_source = source if isinstance(source, CallableSource) else NoPrompt()
            self._install(state, baseline, (overrides, refresh_source))
        self._notify("assumed", state)
        return state

    def _install(self, state: RoleState, baseline: dict[str, str], request: tuple[Overrides, Any]) -> None:
        environment.apply(environment.role_environment(state, baseline))
        self.baseline = baseline
        self.active = state
        self._request = request
        self._needs_mfa = False
        self.last_problem = None
        self._schedule()

    def unset(self) -> bool:
        """Put the managed environment back exactly as before the first switch; False if none was active."""
        with self._lock:
            if self.baseline is None:
                return False
            environment.apply(self.baseline)
            self.active = None
            self.baseline = None
            self._request = None
            self._cancel_timer()
        self._notify("unset", None)
        return True

    @contextlib.contextmanager
    def scoped(self, profile: str, **options: Any) -> Iterator[RoleState]:
        """Run a block as a role, then return to exactly the previous state, also after an exception."""
        with self._lock:
            before = (self.active, self.baseline, self._request, environment.snapshot())
        state = self.assume(profile, **options)
        try:
            yield state
        finally:
            with self._lock:
                self.active, self.baseline, self._request, env = before
                environment.apply(env)
                self._needs_mfa = False
                self._schedule()
            self._notify("restored", self.active)

    # -- refresh ---------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._next_check = math.inf

    def _due_at(self) -> float:
        assert self.active is not None
        expiry = self.active.expiration.timestamp()
        return expiry - float(self.settings.refresh_margin_seconds)

    def _schedule(self, delay: float | None = None) -> None:
        self._cancel_timer()
        if self.active is None:
            return
        due = self._due_at() if delay is None else time.time() + delay
        due = max(due, time.time() + MIN_REFRESH_INTERVAL)
        self._next_check = due
        if self.settings.auto_refresh:
            self._timer = threading.Timer(due - time.time(), self._refresh_in_background)
            self._timer.daemon = True
            self._timer.start()

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:  # a timer thread must never die loudly; refresh() records the problem
            log.debug("jupyter-awsrole: background refresh failed", exc_info=True)

    def refresh(self) -> RoleState | None:
        """Renew the active role now if that needs no MFA code; records why not otherwise."""
        with self._lock:
            state, request = self.active, self._request
            if state is None or request is None:
                return None
            overrides, source = request
            try:
                plan = self.store.plan(state.profile)
                new = self.assumer.resolve(plan, source, self.baseline or {}, overrides, self._policy(), True)
            except MfaRequired:
                self._needs_mfa = True
                self.last_problem = "needs-mfa"
                self._next_check = time.time()
                self._notify("needs-mfa", state)
                return None
            except AwsRoleError as exc:
                self.last_problem = str(exc)
                self._schedule(delay=min(RETRY_AFTER_FAILURE, max(state.seconds_left() / 2, MIN_REFRESH_INTERVAL)))
                self._notify("refresh-failed", state)
                return None
            self._install(new, self.baseline or {}, request)
        self._notify("refreshed", new)
        return new

    def before_cell(self) -> None:
        """Runs before every cell: nothing unless renewal is due or the user must be told something."""
        if time.time() < self._next_check:
            return
        self._check_due()

    def _check_due(self) -> None:
        state = self.active
        if state is None:
            self._next_check = math.inf
            return
        if not self._needs_mfa and self.settings.auto_refresh:
            self.refresh()
            state = self.active
        if state is None or not (self._needs_mfa or self.last_problem):
            return
        left = state.seconds_left()
        if left <= 0:
            message = (
                f"awsrole: the credentials of profile '{state.profile}' expired at"
                f" {state.expiration:%H:%M} UTC; run %awsrole {state.profile} to assume it again."
            )
        elif self._needs_mfa:
            message = (
                f"awsrole: profile '{state.profile}' expires in {_minutes(left)} and renewing it needs"
                f" a new MFA code: run %awsrole {state.profile} --refresh."
            )
        else:
            message = f"awsrole: could not renew profile '{state.profile}' ({_minutes(left)} left): {self.last_problem}"
        print(message, file=sys.stderr)
        self._next_check = time.time() + 60

    # -- read-only views -------------------------------------------------------------

    def list_profiles(self, pattern: str = "") -> list[ProfileInfo]:
        """Every profile (or those whose name holds every word of `pattern`) with kind, role, source, MFA, region."""
        profiles = self.store.profiles()
        if self._rows_of is not profiles:
            with bulk():
                self._rows = [self._row(name, profile) for name, profile in sorted(profiles.items())]
            self._rows_of = profiles
        words = pattern.lower().split()
        return [row for row in self._rows if all(word in row.name.lower() for word in words)]

    def _row(self, name: str, profile: Any) -> ProfileInfo:
        source, mfa, problem = "", bool(profile.mfa_serial), ""
        if profile.role_arn and profile.kind == "role":
            try:
                plan = self.store.plan_loaded(name)
                source, mfa = plan.source_label, plan.needs_mfa
            except AwsRoleError as exc:
                problem = str(exc)
        return ProfileInfo(name, profile.kind, profile.role_arn or "", source, mfa, profile.region or "", problem)

    def needs_code(self, profile: str) -> bool:
        """Whether switching to `profile` now would ask for an MFA code."""
        plan = self.plan(profile)
        return plan.needs_mfa and self.assumer.needs_code(plan, None, self._policy())

    # -- observers -------------------------------------------------------------------

    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call `callback(event, state)` on every change; returns a function that stops it."""
        self._observers.append(callback)

        def stop() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return stop

    def _notify(self, event: str, state: RoleState | None) -> None:
        for callback in list(self._observers):
            try:
                callback(event, state)
            except Exception:
                log.warning("jupyter-awsrole: an observer failed on %s", event, exc_info=True)


def _overrides(region: Any, duration: Any, session_name: Any, external_id: Any) -> Overrides:
    if duration is not None:
        try:
            duration = int(duration)
        except (TypeError, ValueError):
            raise AwsRoleError(f"--duration must be a whole number of seconds, not '{duration}'.") from None
        if not 900 <= duration <= 43200:
            raise AwsRoleError(f"--duration must be between 900 and 43200 seconds, not {duration}.")
    for label, value in (("--region", region), ("--session-name", session_name), ("--external-id", external_id)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise AwsRoleError(f"{label} needs a value.")
    return Overrides(region=region, duration=duration, session_name=session_name, external_id=external_id)


def _minutes(seconds: float) -> str:
    return f"{max(0, int(seconds // 60))} min"


_manager: RoleManager | None = None
_manager_lock = threading.Lock()


def get_manager() -> RoleManager:
    """The kernel's RoleManager, created on first use."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = RoleManager()
        return _manager


def time_left(state: RoleState) -> str:
    """'52 min' / 'expired', for one-line confirmations."""
    left = state.seconds_left(utcnow())
    return "expired" if left <= 0 else _minutes(left)
