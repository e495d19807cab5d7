"""Reading AWS profiles through botocore and turning one into a validated role chain (no network)."""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ProfileError

CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


def is_role_arn(name: str) -> bool:
    """Whether a switch names a role by its ARN instead of a profile."""
    return bool(ROLE_ARN.fullmatch(name))


@dataclass(frozen=True)
class Profile:
    """One profile of the merged config and credentials files, reduced to what role switching needs."""

    name: str
    values: Mapping[str, str] = field(repr=False)
    session: Mapping[str, str] = field(default_factory=dict, repr=False)  # its [sso-session] section, if any

    def get(self, key: str) -> str | None:
        """A setting of this profile, None when absent or empty."""
        return self.values.get(key) or None

    @property
    def role_arn(self) -> str | None:
        return self.get("role_arn")

    @property
    def source_profile(self) -> str | None:
        return self.get("source_profile")

    @property
    def credential_source(self) -> str | None:
        return self.get("credential_source")

    @property
    def mfa_serial(self) -> str | None:
        return self.get("mfa_serial")

    @property
    def region(self) -> str | None:
        return self.get("region")

    @property
    def endpoint_url(self) -> str | None:
        return self.get("endpoint_url")

    @property
    def has_keys(self) -> bool:
        return bool(self.get("aws_access_key_id") and self.get("aws_secret_access_key"))

    @functools.cached_property  # asked thousands of times when a long list is planned; values never change
    def kind(self) -> str:
        """role / keys / sso / process / web-identity / empty, as `--list` shows it."""
        if self.get("web_identity_token_file"):
            return "web-identity"
        if self.role_arn:
            return "role"
        if self.get("sso_session") or self.get("sso_start_url"):
            return "sso"
        if self.get("credential_process"):
            return "process"
        if self.has_keys:
            return "keys"
        return "empty"

    @property
    def sso(self) -> SsoTarget | None:
        """The SSO account and permission set this profile gets credentials for, or None."""
        if self.kind != "sso":
            return None
        merged = {**self.values, **self.session}
        return SsoTarget(
            session_name=self.get("sso_session"),
            start_url=merged.get("sso_start_url") or "",
            region=merged.get("sso_region") or "",
            account_id=self.get("sso_account_id") or "",
            role_name=self.get("sso_role_name") or "",
            scopes=tuple(x.strip() for x in (merged.get("sso_registration_scopes") or "").split(",") if x.strip()),
        )

    @property
    def description(self) -> str:
        """What a profile without a role holds, for the source column of `--list`."""
        sso = self.sso
        if sso is not None:
            return f"SSO account {sso.account_id}, permission set {sso.role_name}"
        return {
            "keys": "static keys",
            "process": "credential_process",
            "web-identity": "web_identity_token_file",
        }.get(self.kind, "")

    @property
    def is_source(self) -> bool:
        """Whether botocore can produce credentials for it without our role logic."""
        return self.kind in ("keys", "sso", "process", "web-identity")


@dataclass(frozen=True)
class SsoTarget:
    """Where an SSO profile's credentials come from: the session (or legacy start URL), account, permission set."""

    session_name: str | None
    start_url: str
    region: str
    account_id: str
    role_name: str
    scopes: tuple[str, ...] = ()

    @property
    def token_name(self) -> str:
        """What the token cache file is named after: the sso-session's name, or the legacy start URL."""
        return self.session_name or self.start_url


@dataclass(frozen=True)
class Hop:
    """One AssumeRole call of a chain, with the arguments the AWS CLI would send."""

    profile: Profile
    role_arn: str
    mfa_serial: str | None
    external_id: str | None
    session_name: str | None
    duration_seconds: int | None
    region: str | None
    endpoint_url: str | None


@dataclass(frozen=True)
class Plan:
    """How to get credentials for a profile: a root source, then role hops in order."""

    profile: Profile
    root: Profile | None  # a profile botocore resolves (keys, sso, process, web identity)
    credential_source: str | None  # or one of CREDENTIAL_SOURCES
    hops: tuple[Hop, ...]

    @property
    def needs_mfa(self) -> bool:
        return any(hop.mfa_serial for hop in self.hops)

    @property
    def region(self) -> str | None:
        return self.profile.region

    @property
    def role_arn(self) -> str:
        """The role the chain ends in (a web-identity profile's own, when botocore assumes it)."""
        return self.hops[-1].role_arn if self.hops else self.profile.role_arn or ""

    @property
    def source_label(self) -> str:
        """Where the chain starts, for `--list` and the picker."""
        if self.credential_source:
            return f"credential_source={self.credential_source}"
        if self.root is None:
            return ""
        if not self.hops:
            return self.root.description
        chain = [self.root.name] + [hop.profile.name for hop in self.hops[:-1]]
        return " -> ".join(chain)


def _file_signature(path: str) -> tuple[str, float, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (path, stat.st_mtime_ns, stat.st_size)


def config_paths(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The config and credentials files botocore would read, honouring the AWS_* variables."""
    env = os.environ if environ is None else environ
    config = env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    creds = env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return os.path.expanduser(config), os.path.expanduser(creds)


class ProfileStore:
    """The profiles of the AWS config files, parsed by botocore and re-read only when a file changes."""

    def __init__(self) -> None:
        self._signature: Any = None
        self._profiles: dict[str, Profile] = {}
        self._plans: dict[str, Plan | ProfileError] = {}
        self._arns: dict[str, Profile] = {}  # roles named by ARN, as last planned

    def profiles(self) -> dict[str, Profile]:
        """All profiles by name; cheap when the files did not change."""
        config_file, creds_file = config_paths()
        signature = (_file_signature(config_file), _file_signature(creds_file))
        if signature != self._signature:
            with bulk():
                self._profiles = _load(config_file, creds_file)
            self._plans = {}
            self._signature = signature
        return self._profiles

    def get(self, name: str) -> Profile:
        """A profile by name, or a ProfileError that suggests the closest names."""
        profiles = self.profiles()
        if name in profiles:
            return profiles[name]
        where = config_paths()[0]
        raise ProfileError(f"Unknown profile '{name}' (not in {where}).{suggest(name, profiles)}")

    def plan(self, name: str) -> Plan:
        """Validate a profile and its whole source chain, before any network call."""
        profiles = self.profiles()
        if name not in profiles:
            self.get(name)  # raises with suggestions
        return self.plan_loaded(name)

    def plan_arn(self, arn: str, source: str | None) -> Plan:
        """A role that has no profile, assumed from `source` (a profile, or another ARN planned before) or,
        without one, from the kernel's environment (credential_source = Environment); never cached."""
        profiles = {**self.profiles(), **self._arns}
        values = {"role_arn": arn}
        if source:
            if source not in profiles:
                raise ProfileError(f"Unknown source profile '{source}'.{suggest(source, profiles)}")
            values["source_profile"] = source
            values.update({k: v for k in ("region", "endpoint_url") if (v := profiles[source].get(k))})
        else:
            values["credential_source"] = "Environment"
        self._arns[arn] = Profile(arn, values)
        return plan_chain({**profiles, arn: self._arns[arn]}, arn)

    def plan_loaded(self, name: str) -> Plan:
        """Like plan(), on the profiles as last loaded, remembered until a file changes (for long lists)."""
        found = self._plans.get(name)
        if found is None:
            try:
                found = plan_chain(self._profiles, name, self._plans)
            except ProfileError as exc:
                found = exc
            self._plans[name] = found
        if isinstance(found, ProfileError):
            raise ProfileError(str(found))
        return found


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic GC while building many small objects: in a kernel's large heap its passes
    doubled the time to read 5,000 profiles. Nothing built here holds a cycle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def suggest(name: str, profiles: Mapping[str, Profile]) -> str:
    """' Did you mean: a, b?' for names a typo away (nearly as close as the closest), else names holding what was
    typed; '' when nothing is close: an unrelated suggestion misleads more than none."""
    close = difflib.get_close_matches(name, list(profiles), n=3, cutoff=0.75)
    if close:
        best = difflib.SequenceMatcher(None, name, close[0]).ratio()
        close = [c for c in close if difflib.SequenceMatcher(None, name, c).ratio() >= best - 0.1]
    elif len(name) >= 3:
        close = sorted(p for p in profiles if name.lower() in p.lower())[:3]
    return f" Did you mean: {', '.join(close)}?" if close else ""


def _load(config_file: str, creds_file: str) -> dict[str, Profile]:
    """The merged profiles, read by config_reader when it can (a fresh kernel's first list), else by botocore."""
    from .config_reader import profile_map, read_sections

    config, creds = read_sections(config_file), read_sections(creds_file)
    if config is None or creds is None:
        return _load_with_botocore(config_file, creds_file)
    profiles, sessions = profile_map(config)
    return _merge(profiles, creds, sessions)


def _load_with_botocore(config_file: str, creds_file: str) -> dict[str, Profile]:
    from botocore.configloader import load_config, raw_config_parse
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    try:
        try:
            config = load_config(config_file)
        except ConfigNotFound:
            config = {"profiles": {}}
        try:
            creds = raw_config_parse(creds_file)
        except ConfigNotFound:
            creds = {}
    except ConfigParseError as exc:
        raise ProfileError(f"Cannot parse the AWS config: {exc}") from None
    except Exception as exc:  # configparser errors (duplicate sections...) come through raw
        raise ProfileError(f"Cannot parse the AWS config files: {type(exc).__name__}: {exc}") from None
    return _merge(config.get("profiles", {}), creds, config.get("sso_sessions", {}))


def _merge(
    profiles: Mapping[str, Any], creds: Mapping[str, Any], sso_sessions: Mapping[str, Any]
) -> dict[str, Profile]:
    """Profiles of the config file with the credentials file's sections laid over them, as botocore merges them.

    Each dict is built once (5,000 profiles are common); profiles naming one sso-session share its values."""
    merged = dict(profiles)
    for name, values in creds.items():
        merged[name] = {**merged.get(name, {}), **values}
    sessions: dict[Any, dict[str, str]] = {k: _strings(v) for k, v in sso_sessions.items() if isinstance(v, dict)}
    return {
        name: Profile(name, _strings(values), sessions.get(values.get("sso_session")) or {})
        for name, values in merged.items()
        if isinstance(values, dict)
    }


def _strings(values: Mapping[str, Any]) -> dict[str, str]:
    """The settings that are strings (botocore gives nested blocks such as `s3 =` as dictionaries)."""
    return {k: v for k, v in values.items() if isinstance(v, str)}


def _duration(profile: Profile) -> int | None:
    raw = profile.get("duration_seconds")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ProfileError(
            f"Profile '{profile.name}': duration_seconds must be a whole number of seconds, not '{raw}'."
        ) from None
    if value <= 0:
        raise ProfileError(f"Profile '{profile.name}': duration_seconds must be positive, not {value}.")
    return value


def _hop(profile: Profile) -> Hop:
    assert profile.role_arn
    return Hop(
        profile=profile,
        role_arn=profile.role_arn,
        mfa_serial=profile.mfa_serial,
        external_id=profile.get("external_id"),
        session_name=profile.get("role_session_name"),
        duration_seconds=_duration(profile),
        region=profile.region,
        endpoint_url=profile.endpoint_url,
    )


def _own_keys(profile: Profile) -> Profile:
    """The root of a role profile that names itself as source_profile: only its static keys, as botocore
    and the AWS CLI take them (resolving the whole profile would assume the role a second time)."""
    keys = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    return Profile(profile.name, {k: v for k, v in profile.values.items() if k in keys})


def check_sso(profile: Profile) -> None:
    """An SSO profile names its session, start URL, region, account and permission set, or says which is missing."""
    sso = profile.sso
    if sso is None:
        return
    if sso.session_name and not profile.session:
        raise ProfileError(f"Profile '{profile.name}': sso_session '{sso.session_name}' has no [sso-session] section.")
    missing = [
        key
        for key, value in (
            ("sso_start_url", sso.start_url),
            ("sso_region", sso.region),
            ("sso_account_id", sso.account_id),
            ("sso_role_name", sso.role_name),
        )
        if not value
    ]
    if missing:
        raise ProfileError(f"Profile '{profile.name}' uses SSO but has no {', '.join(missing)}.")


def plan_chain(profiles: Mapping[str, Profile], name: str, planned: Mapping[str, Any] | None = None) -> Plan:
    """Walk source_profile links from `name` to a root, validating every profile on the way.

    `planned`: valid plans of these profiles already made; a walk reaching one ends there (its chain is sound)."""
    if name not in profiles:
        raise ProfileError(f"Unknown profile '{name}'.{suggest(name, profiles)}")
    start = profiles[name]
    if not start.role_arn:
        if start.is_source:
            check_sso(start)
            return Plan(start, start, None, ())  # botocore's providers give its credentials: no hop
        raise ProfileError(f"Profile '{name}' has no role_arn and no credentials.")
    hops: list[Hop] = []
    seen: list[str] = []
    current = start
    while True:
        if current.name in seen:
            cycle = " -> ".join([*seen[seen.index(current.name) :], current.name])
            raise ProfileError(f"Profile '{name}': source_profile loop {cycle}.")
        seen.append(current.name)
        if current.kind == "web-identity":
            # botocore assumes this role itself from the token file: it is the chain's root.
            return Plan(start, current, None, tuple(reversed(hops)))
        source, cred_source = current.source_profile, current.credential_source
        if source and cred_source:
            raise ProfileError(f"Profile '{current.name}' has both source_profile and credential_source; keep one.")
        if not source and not cred_source:
            raise ProfileError(
                f"Profile '{current.name}' has role_arn but neither source_profile nor credential_source."
            )
        hops.append(_hop(current))
        if cred_source:
            if cred_source not in CREDENTIAL_SOURCES:
                raise ProfileError(
                    f"Profile '{current.name}': unknown credential_source '{cred_source}'"
                    f" (use one of {', '.join(CREDENTIAL_SOURCES)})."
                )
            return Plan(start, None, cred_source, tuple(reversed(hops)))
        assert source is not None  # checked above: a role without credential_source has a source_profile
        if source == current.name and current.has_keys:
            return Plan(start, _own_keys(current), None, tuple(reversed(hops)))
        if source not in profiles:
            raise ProfileError(
                f"Profile '{current.name}': source_profile '{source}' does not exist.{suggest(source, profiles)}"
            )
        nxt = profiles[source]
        if not nxt.role_arn or nxt.kind == "web-identity":
            if not nxt.is_source:
                raise ProfileError(
                    f"Profile '{current.name}': source_profile '{nxt.name}' has no credentials"
                    " (no keys, credential_process, SSO or role)."
                )
            if nxt.kind != "web-identity":
                check_sso(nxt)
                return Plan(start, nxt, None, tuple(reversed(hops)))
        known = planned.get(nxt.name) if planned is not None else None
        if isinstance(known, Plan) and known.hops and nxt.name not in seen:
            return Plan(start, known.root, known.credential_source, known.hops + tuple(reversed(hops)))
        current = nxt
