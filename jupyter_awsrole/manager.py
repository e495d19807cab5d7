"""The one object per kernel that owns the active role: switch, scope, unset, refresh, observers."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import environment
from .alarm import Alarm
from .assumer import Assumer, Policy
from .cache import CredentialCache, default_cache_dir
from .credentials import RoleState
from .errors import AwsRoleError, MfaRequired, call_cleanly
from .events import CHANGES, Event, Problem, ProblemKind
from .listing import Listing, Page, ProfileInfo, page_bounds
from .mfa import CallableSource, MfaInput, MfaSource, NoPrompt, as_source
from .options import Options
from .profiles import Plan, Profile, ProfileStore, is_role_arn
from .settings import AwsRole
from .sso_login import LoginPresenter, LoginPrompt

if TYPE_CHECKING:
    from . import endpoint  # imported on first use: http.server costs a fresh kernel's %load_ext ~15 ms
    from .console import ConsoleLink  # imported on first use too (urllib)

log = logging.getLogger(__name__)

Observer = Callable[[Event, "RoleState | None"], None]
MIN_REFRESH_INTERVAL = 2.0
RETRY_AFTER_FAILURE = 60.0
NAG_INTERVAL = 60.0  # how often a pending problem is told again before cells

__all__ = ["Event", "Options", "Problem", "ProblemKind", "ProfileInfo", "RoleManager", "Status", "get_manager"]


@dataclass(frozen=True)
class Status:
    """What a front end shows: the active role, and what stands in the way of renewing it."""

    role: RoleState | None
    problem: Problem | None


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
        self.problem: Problem | None = None
        self._request: tuple[Options, MfaSource] | None = None
        self._observers: list[tuple[Observer, Collection[Event]]] = []
        self._lock = threading.RLock()
        self._generation = 0
        self._alarm = Alarm(self._timer_fired, name="jupyter-awsrole-renewal-clock")
        self._renewal: threading.Thread | None = None
        self._renewal_of = -1
        self._next_check = math.inf
        self._listing = Listing([])
        self._listing_of: dict[str, Profile] | None = None
        self.presenter: LoginPresenter | None = None  # set by a front end that can show an SSO sign-in
        self.login: LoginPrompt | None = None  # the SSO sign-in waiting for approval, for every front end
        self.settings.observe(self._settings_changed, names=["refresh_margin_seconds", "auto_refresh"])

    def _settings_changed(self, _change: Any) -> None:
        with self._lock:
            self.problem = None  # new settings, new attempt
            self._schedule()

    # -- switching -------------------------------------------------------------------

    def _policy(self) -> Policy:
        s = self.settings
        self.cache.enabled = s.cache
        self.cache.directory = os.path.expanduser(s.cache_dir) if s.cache_dir else default_cache_dir()
        return Policy.from_settings(s)

    def plan(self, profile: str, options: Options | None = None) -> Plan:
        """Validate a profile (or a role ARN and its source) without touching the network."""
        if not isinstance(profile, str) or not profile.strip():
            raise AwsRoleError("profile must name a profile of the AWS config files.", field="profile")
        name = profile.strip()
        source = options.source_profile if options else None
        if is_role_arn(name):
            return self.store.plan_arn(name, source or self._default_source(name))
        if source:
            raise AwsRoleError("source_profile goes with a role ARN, not a profile.", field="source_profile")
        return self.store.plan(name)

    def _default_source(self, arn: str) -> str | None:
        """What a role ARN is assumed from when no source is named: the active role (or, when that is the same
        ARN, its source), else the kernel's AWS_PROFILE, else the environment's keys (None)."""
        with self._lock:
            active, request, baseline = self.active, self._request, self.baseline
        if active is not None and active.profile != arn:
            return active.profile
        if active is not None and request is not None:
            return request[0].source_profile
        return (baseline if baseline is not None else environment.snapshot()).get("AWS_PROFILE") or None

    def _sourced(self, profile: str, options: Options) -> Options:
        """The options with the source a role ARN is assumed from written in, so renewals assume it alike."""
        if options.source_profile or not isinstance(profile, str) or not is_role_arn(profile.strip()):
            return options
        return dataclasses.replace(options, source_profile=self._default_source(profile.strip()))

    def assume(self, profile: str, *, mfa: MfaInput = None, **options: Any) -> RoleState:
        """Switch the kernel to a role (`options`: fields of Options); on any failure the previous
        credentials stay in place."""
        source = as_source(mfa)
        del mfa  # only the masked source may stay in this frame
        return call_cleanly(self._switch, profile, source, Options.parse(options), _Login(self, self.presenter))

    def switch(
        self, profile: str, code: str | None = None, options: Options | None = None, sign_in: bool = False
    ) -> RoleState | None:
        """A switch for front ends that ask for codes themselves: with the code typed, if any, and never a
        prompt; None when a code must be typed first. An SSO sign-in is waited for only with `sign_in` (the front
        end then shows `self.login` on Event.SSO_LOGIN); otherwise a needed one is a one-line SsoLoginRequired."""
        source = as_source(code) if code else NoPrompt()
        del code
        login = _Login(self, None) if sign_in else None
        try:
            return call_cleanly(self._switch, profile, source, options or Options(), login)
        except MfaRequired:
            return None

    def _switch(self, profile: str, source: MfaSource, options: Options, login: LoginPresenter | None) -> RoleState:
        options = self._sourced(profile, options)
        plan = self.plan(profile, options)
        with self._lock:
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
        state = self.assumer.resolve(plan, source, baseline, options, self._policy(), options.refresh, login=login)
        refresh_source = source if isinstance(source, CallableSource) else NoPrompt()
        with self._lock:
            # A switch the user asked for wins over whatever changed meanwhile (a renewal, an unset),
            # on top of the baseline in place now.
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
            self._install(state, baseline, (options, refresh_source))
        self._notify(Event.ASSUMED, state)
        return state

    def _install(self, state: RoleState, baseline: dict[str, str], request: tuple[Options, MfaSource]) -> None:
        if self.settings.credential_mode == "endpoint":
            from . import endpoint

            served = endpoint.get_endpoint()
            path = served.path_for(state.profile, request[0])
            environment.apply(environment.endpoint_environment(state, baseline, served.environment(path)))
            served.register(state, request[0], request[1], baseline, self._renew_served)
        else:
            environment.apply(environment.role_environment(state, baseline))
        self.baseline = baseline
        self.active = state
        self._request = request
        self._generation += 1
        self.problem = None
        self._schedule()

    def unset(self) -> bool:
        """Put the managed environment back exactly as before the first switch; False if none was active."""
        with self._lock:
            if self.baseline is None:
                return False
            environment.apply(self.baseline)
            # No endpoint without its module: unset never imports http.server only to find none.
            loaded = sys.modules.get(f"{__package__}.endpoint")
            served = loaded.existing_endpoint() if loaded is not None else None
            if served is not None:
                served.unregister_all()
            self.active = None
            self.baseline = None
            self._request = None
            self._generation += 1
            self.problem = None
            self._cancel_timer()
        self._notify(Event.UNSET, None)
        return True

    @contextlib.contextmanager
    def scoped(self, profile: str, *, mfa: MfaInput = None, **options: Any) -> Iterator[RoleState]:
        """Run a block as a role, then return to exactly the previous state, also after an exception."""
        with self._lock:
            before = (self.active, self.baseline, self._request, environment.snapshot())
        state = self.assume(profile, mfa=mfa, **options)
        try:
            yield state
        finally:
            with self._lock:
                self.active, self.baseline, self._request, env = before
                environment.apply(env)
                self._generation += 1
                self.problem = None
                self._schedule()
            self._notify(Event.RESTORED, self.active)

    def serve(self, profile: str, *, mfa: MfaInput = None, **options: Any) -> tuple[RoleState, dict[str, str]]:
        """Assume a role and serve it at its own path of the endpoint without switching the kernel: the
        state and the variables that point a client at it (URI, token, token file)."""
        source = as_source(mfa)
        del mfa
        return call_cleanly(self._serve, profile, source, Options.parse(options))

    def _serve(self, profile: str, source: MfaSource, options: Options) -> tuple[RoleState, dict[str, str]]:
        options = self._sourced(profile, options)
        plan = self.plan(profile, options)
        with self._lock:
            baseline = self.baseline if self.baseline is not None else environment.snapshot()
        state = self.assumer.resolve(
            plan, source, baseline, options, self._policy(), options.refresh, login=_Login(self, self.presenter)
        )
        refresh_source = source if isinstance(source, CallableSource) else NoPrompt()
        from . import endpoint

        served = endpoint.get_endpoint()
        path = served.register(state, options, refresh_source, baseline, self._renew_served)
        return state, served.environment(path)

    def _renew_served(self, served: endpoint.Served) -> RoleState:
        """A path's renewal, asked by a request: never under the manager's lock, never a prompt."""
        plan = self.plan(served.profile, served.options)
        return self.assumer.resolve(plan, served.source, served.baseline, served.options, self._policy(), False)

    # -- refresh ---------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        self._alarm.cancel()
        self._next_check = math.inf

    def _due_at(self, state: RoleState) -> float:
        return state.expiration.timestamp() - float(self.settings.refresh_margin_seconds)

    def _schedule(self, delay: float | None = None) -> None:
        """Under the lock: when the next renewal starts (a timer) and when the pre-cell check looks."""
        if self.active is None:
            self._cancel_timer()
            return
        due = self._due_at(self.active) if delay is None else time.time() + delay
        due = max(due, time.time() + MIN_REFRESH_INTERVAL)
        self._next_check = due
        if self.settings.auto_refresh:
            self._alarm.set(due)
        else:
            self._alarm.cancel()

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
        options, source = request
        try:
            plan = self.plan(state.profile, options)
            new = self.assumer.resolve(plan, source, baseline or {}, options, self._policy(), True)
        except MfaRequired as exc:
            self._renewal_failed(generation, state, Problem(ProblemKind.NEEDS_MFA, str(exc)))
            return None
        except AwsRoleError as exc:
            self._renewal_failed(generation, state, Problem(ProblemKind.REFRESH_FAILED, str(exc)))
            return None
        try:
            with self._lock:
                if generation != self._generation:
                    return None  # switched, unset or renewed meanwhile: this answer is for a state that is gone
                self._install(new, baseline or {}, request)
        except AwsRoleError as exc:  # the environment refused it, nothing was installed
            self._renewal_failed(generation, state, Problem(ProblemKind.REFRESH_FAILED, str(exc)))
            return None
        self._notify(Event.REFRESHED, new)
        return new

    def _renewal_failed(self, generation: int, state: RoleState, problem: Problem) -> None:
        """Record why a renewal failed so the next cell tells it, once."""
        with self._lock:
            if generation != self._generation:
                return
            self.problem = problem
            if problem.kind is ProblemKind.NEEDS_MFA:
                event = Event.NEEDS_MFA
                self._cancel_timer()
            else:
                event = Event.REFRESH_FAILED
                self._schedule(delay=min(RETRY_AFTER_FAILURE, max(state.seconds_left() / 2, MIN_REFRESH_INTERVAL)))
            self._next_check = time.time()
        self._notify(event, state)

    def before_cell(self) -> None:
        """Runs before every cell: nothing unless renewal is due or the user must be told something."""
        if time.time() < self._next_check:
            return
        self._check_due()

    def _check_due(self) -> None:
        """Never waits for the network: starts a renewal if none runs, and reminds of what is known."""
        with self._lock:
            state, now = self.active, time.time()
            if state is None:
                self._next_check = math.inf
                return
            due = now >= self._due_at(state)
            quiet = self.problem is None
            if due and quiet and self.settings.auto_refresh:
                self._start_renewal()
            remind = not quiet or state.seconds_left() <= 0
            if remind:
                self._next_check = now + NAG_INTERVAL
            else:
                self._next_check = now + MIN_REFRESH_INTERVAL if due else max(self._due_at(state), now)
        if remind:
            self._notify(Event.REMINDER, state)  # the front ends word it: the core prints nothing

    # -- what front ends show --------------------------------------------------------

    def status(self) -> Status:
        """The active role and the problem renewing it, if any."""
        with self._lock:
            return Status(self.active, self.problem)

    def listing(self) -> Listing:
        """Every profile's row, read again only when a config file changed (5,000 profiles are common)."""
        profiles = self.store.profiles()
        if self._listing_of is not profiles:
            self._listing = Listing.read(self.store, profiles)
            self._listing_of = profiles
        return self._listing

    def list_profiles(self, pattern: str = "") -> list[ProfileInfo]:
        """Every profile (or those whose name holds every word of `pattern`) with kind, role, source, MFA, region."""
        return list(self.listing().matching(pattern))

    def switchable(self, pattern: str = "") -> list[ProfileInfo]:
        """The profiles a front end offers to switch to (those with a role), filtered as list_profiles() does."""
        return list(self.listing().matching(pattern, switchable=True))

    def list_page(self, words: str = "", offset: int = 0, limit: int = 200) -> Page:
        """The rows list_profiles(words) gives from `offset`, at most `limit`, each with its MFA state as of now:
        only a page is planned and checked against the cache, so the first answer for 5,000 profiles is small."""
        offset, limit = page_bounds(offset, limit)
        found = self.listing().matching(words)
        return Page(self._live(found[offset : offset + limit]), len(found), offset)

    def _live(self, rows: list[ProfileInfo]) -> list[ProfileInfo]:
        """row.live(needs_code) of each row, the settings and the files read once for all of them."""
        policy = self._policy()

        def needs_code(name: str) -> bool:
            loaded = name and name == name.strip() and not is_role_arn(name)  # else as plan() reads the name
            plan = self.store.plan_loaded(name) if loaded else self.plan(name)
            return plan.needs_mfa and self.assumer.needs_code(plan, None, policy)

        return [row.live(needs_code) for row in rows]

    def profile_names(self) -> list[str]:
        """Every profile's name, sorted, without planning any (for completion)."""
        return sorted(self.store.profiles())

    def console_link(self, service: str | None = None) -> ConsoleLink:
        """A sign-in link to the AWS console (on SERVICE's page) as the active role; the call to the federation
        endpoint runs outside the lock."""
        from . import console

        with self._lock:
            state, request = self.active, self._request
        if state is None:
            raise AwsRoleError(console.NO_ROLE)
        try:
            plan: Plan | None = self.plan(state.profile, request[0] if request else None)
        except AwsRoleError:  # the config changed since the switch: count the session as chained
            plan = None
        return call_cleanly(console.console_link, state, plan, self.settings, service)

    def needs_code(self, profile: str) -> bool:
        """Whether switching to `profile` now would ask for an MFA code."""
        plan = self.plan(profile)
        return plan.needs_mfa and self.assumer.needs_code(plan, None, self._policy())

    # -- observers -------------------------------------------------------------------

    def observe(self, callback: Observer, events: Collection[Event] = CHANGES) -> Callable[[], None]:
        """Call `callback(event, state)` on every change (or on each of `events`); returns a function that stops it."""
        entry = (callback, frozenset(events))
        self._observers.append(entry)

        def stop() -> None:
            if entry in self._observers:
                self._observers.remove(entry)

        return stop

    def _notify(self, event: Event, state: RoleState | None) -> None:
        for callback, events in list(self._observers):
            if event not in events:
                continue
            try:
                callback(event, state)
            except Exception:
                log.warning("jupyter-awsrole: an observer failed on %s", event, exc_info=True)


class _Login:
    """Tells the manager's observers about an SSO sign-in (RoleManager.login) and shows it through the front
    end's presenter, if any: the picker and the lab switcher show the same link and code as the magic."""

    def __init__(self, manager: RoleManager, presenter: LoginPresenter | None) -> None:
        self.manager = manager
        self.presenter = presenter

    def show(self, prompt: LoginPrompt) -> None:
        self.manager.login = prompt
        self.manager._notify(Event.SSO_LOGIN, self.manager.active)
        if self.presenter is not None:
            self.presenter.show(prompt)

    def tick(self, prompt: LoginPrompt) -> None:
        if self.presenter is not None:
            self.presenter.tick(prompt)

    def finish(self, prompt: LoginPrompt | None, outcome: str, ok: bool) -> None:
        self.manager.login = None
        self.manager._notify(Event.SSO_LOGIN_ENDED, self.manager.active)
        if self.presenter is not None:
            self.presenter.finish(prompt, outcome, ok)


_manager: RoleManager | None = None
_manager_lock = threading.Lock()


def get_manager() -> RoleManager:
    """The kernel's RoleManager, created on first use."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = RoleManager()
        return _manager
