"""The one object per kernel that owns the active role: switch, scope, unset, refresh, observers."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from . import environment
from .assumer import Assumer, Overrides, Policy
from .cache import CredentialCache, default_cache_dir
from .credentials import RoleState, utcnow
from .errors import AwsRoleError, MfaRequired, call_cleanly
from .mfa import CallableSource, NoPrompt, as_source
from .profiles import Plan, ProfileStore, bulk
from .settings import AwsRole
from .sts import Timeouts

log = logging.getLogger(__name__)

Observer = Callable[[str, "RoleState | None"], None]
MIN_REFRESH_INTERVAL = 2.0
RETRY_AFTER_FAILURE = 60.0
REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d+")  # eu-west-1, us-gov-west-1, cn-north-1
NAG_INTERVAL = 60.0  # how often a pending problem is told again before cells


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
    """Kernel-side state: every front end (magic, picker, lab extension) drives this object.

    The lock guards only the state below and is never held across a network call: STS calls run
    outside it, and their result is installed only if the state they started from is still the
    active one (`_generation` counts every change of state).
    """

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
        self._generation = 0
        self._timer: threading.Timer | None = None
        self._renewal: threading.Thread | None = None
        self._renewal_of = -1
        self._next_check = math.inf
        self._needs_mfa = False
        self._rows: list[ProfileInfo] = []
        self._rows_of: Any = None
        self.settings.observe(self._settings_changed, names=["refresh_margin_seconds", "auto_refresh"])

    def _settings_changed(self, _change: Any) -> None:
        with self._lock:
            self._needs_mfa = False
            self.last_problem = None  # new settings, new attempt
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
        source = as_source(mfa)
        del mfa  # only the masked source may stay in this frame
        overrides = _overrides(region, duration, session_name, external_id)
        return call_cleanly(self._switch, profile, source, overrides, refresh)

    def _switch(self, profile: str, source: Any, overrides: Overrides, refresh: bool) -> RoleState:
        plan = self.plan(profile)
        with self._lock:
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
        state = self.assumer.resolve(plan, source, baseline, overrides, self._policy(), refresh)
        refresh_source = source if isinstance(source, CallableSource) else NoPrompt()
        with self._lock:
            # A switch the user asked for wins over whatever changed meanwhile (a renewal, an unset),
            # on top of the baseline in place now.
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
            self._install(state, baseline, (overrides, refresh_source))
        self._notify("assumed", state)
        return state

    def _install(self, state: RoleState, baseline: dict[str, str], request: tuple[Overrides, Any]) -> None:
        environment.apply(environment.role_environment(state, baseline))
        self.baseline = baseline
        self.active = state
        self._request = request
        self._generation += 1
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
            self._generation += 1
            self._needs_mfa = False
            self.last_problem = None
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
                self._generation += 1
                self._needs_mfa = False
                self.last_problem = None
                self._schedule()
            self._notify("restored", self.active)

    # -- refresh ---------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._next_check = math.inf

    def _due_at(self, state: RoleState) -> float:
        return state.expiration.timestamp() - float(self.settings.refresh_margin_seconds)

    def _schedule(self, delay: float | None = None) -> None:
        """Under the lock: when the next renewal starts (a timer) and when the pre-cell check looks."""
        self._cancel_timer()
        if self.active is None:
            return
        due = self._due_at(self.active) if delay is None else time.time() + delay
        due = max(due, time.time() + MIN_REFRESH_INTERVAL)
        self._next_check = due
        if self.settings.auto_refresh:
            self._timer = threading.Timer(due - time.time(), self._timer_fired)
            self._timer.daemon = True
            self._timer.start()

    def _timer_fired(self) -> None:
        with self._lock:
            self._start_renewal()

    def _start_renewal(self) -> None:
        """Under the lock: renew in a thread of its own, one at a time; nobody waits for it."""
        if self._renewal is not None and self._renewal.is_alive() and self._renewal_of == self._generation:
            return
        self._renewal_of = self._generation  # a renewal still hanging for an older state does not count
        self._renewal = threading.Thread(target=self._renew_in_background, name="jupyter-awsrole-renewal", daemon=True)
        self._renewal.start()

    def _renew_in_background(self) -> None:
        try:
            self._renew()
        except Exception:  # a renewal thread must never die loudly; _renew() records the problem
            log.debug("jupyter-awsrole: background renewal failed", exc_info=True)

    def refresh(self) -> RoleState | None:
        """Renew the active role now if that needs no MFA code; records why not otherwise."""
        return call_cleanly(self._renew)

    def _renew(self) -> RoleState | None:
        """Resolve without the lock, install only if nothing changed meanwhile."""
        with self._lock:
            state, request, baseline, generation = self.active, self._request, self.baseline, self._generation
        if state is None or request is None:
            return None
        overrides, source = request
        try:
            plan = self.store.plan(state.profile)
            new = self.assumer.resolve(plan, source, baseline or {}, overrides, self._policy(), True)
        except MfaRequired:
            self._renewal_failed(generation, state, None)
            return None
        except AwsRoleError as exc:
            self._renewal_failed(generation, state, str(exc))
            return None
        try:
            with self._lock:
                if generation != self._generation:
                    return None  # switched, unset or renewed meanwhile: this answer is for a state that is gone
                self._install(new, baseline or {}, request)
        except AwsRoleError as exc:  # the environment refused it, nothing was installed
            self._renewal_failed(generation, state, str(exc))
            return None
        self._notify("refreshed", new)
        return new

    def _renewal_failed(self, generation: int, state: RoleState, problem: str | None) -> None:
        """Record why a renewal failed (None: it needs a code) so the next cell tells it, once."""
        with self._lock:
            if generation != self._generation:
                return
            if problem is None:
                self._needs_mfa, self.last_problem, event = True, "needs-mfa", "needs-mfa"
                self._cancel_timer()
            else:
                self.last_problem, event = problem, "refresh-failed"
                self._schedule(delay=min(RETRY_AFTER_FAILURE, max(state.seconds_left() / 2, MIN_REFRESH_INTERVAL)))
            self._next_check = time.time()
        self._notify(event, state)

    def before_cell(self) -> None:
        """Runs before every cell: nothing unless renewal is due or the user must be told something."""
        if time.time() < self._next_check:
            return
        self._check_due()

    def _check_due(self) -> None:
        """Never waits for the network: starts a renewal if none runs, and tells what is known."""
        with self._lock:
            state, now = self.active, time.time()
            if state is None:
                self._next_check = math.inf
                return
            due = now >= self._due_at(state)
            quiet = not (self._needs_mfa or self.last_problem)
            if due and quiet and self.settings.auto_refresh:
                self._start_renewal()
            message = None if quiet and state.seconds_left() > 0 else self._news(state)
            if message:
                self._next_check = now + NAG_INTERVAL
            else:
                self._next_check = now + MIN_REFRESH_INTERVAL if due else max(self._due_at(state), now)
        if message:
            print(message, file=sys.stderr)

    def _news(self, state: RoleState) -> str:
        left = state.seconds_left()
        if left <= 0:
            return (
                f"awsrole: the credentials of profile '{state.profile}' expired at"
                f" {state.expiration:%H:%M} UTC; run %awsrole {state.profile} to assume it again."
            )
        if self._needs_mfa:
            return (
                f"awsrole: profile '{state.profile}' expires in {_minutes(left)} and renewing it needs"
                f" a new MFA code: run %awsrole {state.profile} --refresh."
            )
        return f"awsrole: could not renew profile '{state.profile}' ({_minutes(left)} left): {self.last_problem}"

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
    for label, value in (("--session-name", session_name), ("--external-id", external_id)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise AwsRoleError(f"{label} needs a value.")
    if region is not None and not (isinstance(region, str) and len(region) <= 50 and REGION.fullmatch(region)):
        shown = _shown(region) if isinstance(region, str) else type(region).__name__
        raise AwsRoleError(f"region must look like eu-west-1, not {shown}.")
    return Overrides(region=region, duration=duration, session_name=session_name, external_id=external_id)


def _shown(value: str, limit: int = 40) -> str:
    """A user's value quoted for a one-line message: escapes made visible, long ones cut."""
    text = repr(value[:limit])
    return text if len(value) <= limit else text + "..."


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
