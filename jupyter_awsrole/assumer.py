"""Walk a plan's hops: reuse cached sessions, open or reuse an MFA session, call AssumeRole per hop."""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .cache import CredentialCache, assume_role_key, mfa_session_key
from .credentials import Credentials, RoleState, utcnow
from .errors import AwsRoleError, MfaError
from .mfa import MAX_ATTEMPTS, CallableSource, FixedCode, MfaSource, read_code
from .mfa_process import DEFAULT_TIMEOUT, ProcessCode, command_for
from .options import NARROWING, Options
from .profiles import Hop, Plan
from .settings import AwsRole
from .sources import root_credentials
from .sso_login import LoginPresenter
from .sts import Timeouts, sts_client, sts_endpoint, sts_region, translate

ROLE_CHAINING_LIMIT = 3600  # AWS caps sessions assumed from temporary credentials at one hour
# Keys that never expire are served as if they did, so renewals read the profile again (rotated keys, a new
# credential_process answer) and every credential reader gets the Expiration it expects.
KEYS_LIFETIME = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    """Settings the assumer obeys, read from the user's configuration at each call."""

    min_seconds_left: float
    mfa_session_seconds: int
    default_duration: int | None
    timeouts: Timeouts
    mfa_process: str = ""
    mfa_process_timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls, settings: AwsRole | None = None) -> Policy:
        """The policy the settings ask for (their defaults when none are given)."""
        s = settings or AwsRole()
        return cls(
            min_seconds_left=float(s.refresh_margin_seconds),
            mfa_session_seconds=s.mfa_session_seconds,
            default_duration=s.default_duration or None,
            timeouts=Timeouts(s.sts_connect_timeout, s.sts_read_timeout, s.sts_max_attempts),
            mfa_process=s.mfa_process,
            mfa_process_timeout=s.mfa_process_timeout,
        )


def hop_arguments(hop: Hop, overrides: Options | None, policy: Policy) -> dict[str, Any]:
    """The AssumeRole arguments the AWS CLI would send for this hop (and so its cache key)."""
    args: dict[str, Any] = {"RoleArn": hop.role_arn}
    session_name = (overrides and overrides.session_name) or hop.session_name
    external_id = (overrides and overrides.external_id) or hop.external_id
    duration = (overrides and overrides.duration) or hop.duration_seconds or policy.default_duration
    if session_name:
        args["RoleSessionName"] = session_name
    if external_id:
        args["ExternalId"] = external_id
    if hop.mfa_serial:
        args["SerialNumber"] = hop.mfa_serial
    if duration:
        args["DurationSeconds"] = int(duration)
    return {**args, **narrowing_arguments(overrides)} if overrides else args


def narrowing_arguments(options: Options) -> dict[str, Any]:
    """Session policies, tags and source identity as AssumeRole takes them; being call arguments, they are
    part of botocore's cache key, so a narrowed session never serves an unnarrowed switch, nor the reverse."""
    args: dict[str, Any] = {}
    if options.policy:
        args["Policy"] = options.policy
    if options.policy_arns:
        args["PolicyArns"] = [{"arn": arn} for arn in options.policy_arns]
    if options.tags:
        args["Tags"] = [{"Key": key, "Value": value} for key, value in options.tags]
    if options.source_identity:
        args["SourceIdentity"] = options.source_identity
    return args


class Assumer:
    """Turns a plan into credentials with as few STS calls and MFA prompts as possible."""

    def __init__(self, cache: CredentialCache) -> None:
        self.cache = cache
        self._mfa_sessions: dict[str, Credentials] = {}
        self._lock = threading.Lock()  # guards _mfa_sessions only, never a network call

    def _calls(self, plan: Plan, overrides: Options | None, policy: Policy) -> tuple[list[dict], list[str]]:
        """Each hop's AssumeRole arguments and cache key; overrides apply to the last hop."""
        last = len(plan.hops) - 1
        args = [hop_arguments(h, overrides if i == last else None, policy) for i, h in enumerate(plan.hops)]
        return args, [assume_role_key(h.role_arn, a) for h, a in zip(plan.hops, args, strict=True)]

    def _deepest_cached(self, keys: list[str], policy: Policy, skip_last: bool) -> tuple[int, Any]:
        """The index after the last hop whose session is cached and fresh, with that cache hit."""
        for i in range(len(keys) - 1, -1, -1):
            if i == len(keys) - 1 and skip_last:
                continue
            hit = self.cache.load(keys[i], policy.min_seconds_left)
            if hit:
                return i + 1, hit
        return 0, None

    def needs_code(self, plan: Plan, overrides: Options | None, policy: Policy) -> bool:
        """Whether resolving the plan now would ask for an MFA code (cached sessions spare it)."""
        args, keys = self._calls(plan, overrides, policy)
        start, _ = self._deepest_cached(keys, policy, skip_last=False)
        root = plan.root
        long_term_root = root is not None and root.kind == "keys" and not root.get("aws_session_token")
        for i in range(start, len(plan.hops)):
            serial = plan.hops[i].mfa_serial
            if not serial or command_for(plan.hops[i], policy.mfa_process):
                continue
            if not (
                _session_applies(i == 0 and long_term_root, args[i], policy)
                and root is not None
                and self._cached_mfa_session(serial, root.name, policy)
            ):
                return True
        return False

    def resolve(
        self,
        plan: Plan,
        mfa: MfaSource,
        baseline: Mapping[str, str],
        overrides: Options | None = None,
        policy: Policy | None = None,
        refresh: bool = False,
        login: LoginPresenter | None = None,
    ) -> RoleState:
        """Credentials for the plan's profile; `refresh` skips the cached session of the last hop; `login` shows
        an SSO sign-in when one is needed (None: say so instead).

        No lock is held here: a renewal hanging on STS must not hold up a switch or another renewal."""
        policy = policy or Policy.from_settings()
        hops = plan.hops
        if not hops and overrides and overrides.narrowing:
            raise _nothing_to_narrow(plan, overrides)
        args, keys = self._calls(plan, overrides, policy)
        start, hit = self._deepest_cached(keys, policy, skip_last=refresh)
        creds, response = hit if hit else (root_credentials(plan, baseline, login, policy.timeouts), None)
        if not hops and not plan.role_arn:
            return _own_state(plan, creds, overrides, baseline, policy)
        for i in range(start, len(hops)):
            long_term_source = i == 0 and creds.session_token is None and plan.root is not None
            response = self._assume_hop(hops[i], args[i], creds, mfa, baseline, policy, long_term_source, plan)
            self.cache.store(keys[i], response)
            creds = Credentials.from_sts(response["Credentials"])
        return _state(plan, creds, response, overrides, baseline)

    def _assume_hop(
        self,
        hop: Hop,
        args: dict[str, Any],
        creds: Credentials,
        mfa: MfaSource,
        baseline: Mapping[str, str],
        policy: Policy,
        long_term_source: bool,
        plan: Plan,
    ) -> dict[str, Any]:
        call = dict(args)
        call.setdefault("RoleSessionName", f"jupyter-awsrole-{int(time.time())}")
        endpoint = sts_endpoint(hop.endpoint_url, baseline)
        region = sts_region(hop.region, baseline)
        name = hop.profile.name

        def assume(with_creds: Credentials, extra: dict[str, Any]) -> dict[str, Any]:
            try:
                with sts_client(with_creds, region, endpoint, policy.timeouts) as client:
                    return client.assume_role(**call, **extra)
            except AwsRoleError:
                raise
            except Exception as exc:
                action = f"AssumeRole {hop.role_arn}"
                if "TokenCode" in extra:  # a refused code names the profile the user chose, and the device
                    raise translate(exc, action, plan.profile.name, endpoint, policy.timeouts, hop.mfa_serial) from None
                raise translate(exc, action, name, endpoint, policy.timeouts) from None

        if not hop.mfa_serial:
            return assume(creds, {})
        if _session_applies(long_term_source, call, policy):
            session = self._mfa_session(hop, creds, mfa, plan, policy, endpoint, region)
            del call["SerialNumber"]
            return assume(session, {})
        return _with_code(hop, _source(hop, mfa, policy), lambda code: assume(creds, {"TokenCode": code}))

    def _cached_mfa_session(self, serial: str, source: str, policy: Policy) -> Credentials | None:
        key = mfa_session_key(serial, source)
        with self._lock:
            session = self._mfa_sessions.get(key)
        if session is None:
            hit = self.cache.load(key, policy.min_seconds_left)
            session = hit[0] if hit else None
            if session is not None:
                with self._lock:
                    self._mfa_sessions[key] = session
        if session is not None and session.seconds_left() < policy.min_seconds_left:
            return None
        return session

    def _mfa_session(
        self,
        hop: Hop,
        creds: Credentials,
        mfa: MfaSource,
        plan: Plan,
        policy: Policy,
        endpoint: str | None,
        region: str,
    ) -> Credentials:
        assert hop.mfa_serial and plan.root is not None  # only hops with a serial from long-term keys get here
        serial, source = hop.mfa_serial, plan.root.name
        session = self._cached_mfa_session(serial, source, policy)
        if session is not None:
            return session

        def open_session(code: str) -> dict[str, Any]:
            try:
                with sts_client(creds, region, endpoint, policy.timeouts) as client:
                    return client.get_session_token(
                        SerialNumber=serial, TokenCode=code, DurationSeconds=policy.mfa_session_seconds
                    )
            except Exception as exc:
                raise translate(exc, "GetSessionToken", plan.profile.name, endpoint, policy.timeouts, serial) from None

        response = _with_code(hop, _source(hop, mfa, policy), open_session)
        key = mfa_session_key(serial, source)
        self.cache.store(key, response)
        session = Credentials.from_sts(response["Credentials"])
        with self._lock:
            self._mfa_sessions[key] = session
        return session


def _nothing_to_narrow(plan: Plan, overrides: Options) -> AwsRoleError:
    """Session policies, tags and a source identity go with AssumeRole: a profile that assumes no role
    would ignore them, and the user would believe the session narrowed."""
    given = next(name for name in NARROWING if getattr(overrides, name))
    return AwsRoleError(
        f"{given} narrows an assumed role's session; profile '{plan.profile.name}' assumes no role.", field=given
    )


def _session_applies(long_term_source: bool, args: dict[str, Any], policy: Policy) -> bool:
    """An MFA session serves a hop called with long-term keys, for sessions AWS lets it open (<= 1 h)."""
    duration = args.get("DurationSeconds") or ROLE_CHAINING_LIMIT
    return long_term_source and policy.mfa_session_seconds > 0 and duration <= ROLE_CHAINING_LIMIT


def _source(hop: Hop, mfa: MfaSource, policy: Policy) -> MfaSource:
    """Where this hop's code comes from: a code or function the caller gave, else the hop's mfa_process
    (which serves prompts and renewals alike), else the caller's source (a prompt, or none in a renewal)."""
    command = command_for(hop, policy.mfa_process)
    if command is None or isinstance(mfa, (FixedCode, CallableSource)):
        return mfa
    return ProcessCode(command, hop.profile.name, policy.mfa_process_timeout)


def _with_code(hop: Hop, mfa: MfaSource, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Ask for a code and call; a refused code is asked again when the source can ask."""
    assert hop.mfa_serial
    serial = hop.mfa_serial
    retry: str | None = None
    for attempt in range(MAX_ATTEMPTS):
        code = read_code(mfa, serial, retry)
        try:
            return call(code)
        except MfaError:
            if not mfa.interactive or attempt == MAX_ATTEMPTS - 1:
                raise
            retry = "That MFA code was refused."
    raise AssertionError("unreachable")


def _state(
    plan: Plan,
    creds: Credentials,
    response: dict[str, Any] | None,
    overrides: Options | None,
    baseline: Mapping[str, str],
) -> RoleState:
    role_arn = plan.role_arn
    session_arn = ((response or {}).get("AssumedRoleUser") or {}).get("Arn") or role_arn
    account = session_arn.split(":")[4] if session_arn.count(":") >= 5 else ""
    region = (overrides and overrides.region) or plan.region
    if creds.expiration is None:
        raise AwsRoleError(f"Profile '{plan.profile.name}' gave credentials without an expiry.")
    return RoleState(
        profile=plan.profile.name,
        role_arn=role_arn,
        session_arn=session_arn,
        account=account,
        region=region,
        expiration=creds.expiration,
        credentials=creds,
        endpoint_url=plan.profile.endpoint_url,
        narrowing=overrides.narrowing if overrides else "",
    )


def _own_state(
    plan: Plan, creds: Credentials, overrides: Options | None, baseline: Mapping[str, str], policy: Policy
) -> RoleState:
    """The state of a profile that is its own credentials (keys, SSO, a process): who they are, from STS."""
    name = plan.profile.name
    endpoint = sts_endpoint(plan.profile.endpoint_url, baseline)
    try:
        with sts_client(creds, sts_region(plan.profile.region, baseline), endpoint, policy.timeouts) as client:
            arn = str(client.get_caller_identity()["Arn"])
    except Exception as exc:
        raise translate(exc, "GetCallerIdentity", name, endpoint, policy.timeouts) from None
    long_term = creds.expiration is None
    if long_term:
        creds = Credentials(creds.access_key_id, creds.secret_access_key, creds.session_token, utcnow() + KEYS_LIFETIME)
    response = {"AssumedRoleUser": {"Arn": arn}}
    state = _state(plan, creds, response, overrides, baseline)
    return dataclasses.replace(state, role_arn=principal_arn(arn), long_term=long_term)


def principal_arn(arn: str) -> str:
    """The IAM identity behind a caller ARN: a role's ARN for an assumed-role session, else the ARN itself."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        role = parts[5].split("/")[1]
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{role}"
    return arn
