"""The profile rows every front end lists, with the one rule for what can be switched to and how a filter matches."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import AwsRoleError
from .profiles import Profile, ProfileStore, bulk, check_sso
from .protocol import ProfileRow


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

    @property
    def switchable(self) -> bool:
        """Whether a switch to it can be tried: it names a role or holds credentials (keys, SSO, a process)."""
        return self.kind != "empty"

    def public(self) -> ProfileRow:
        """The row as the lab extension gets it."""
        return ProfileRow(dataclasses.asdict(self))


def matching(rows: Iterable[ProfileInfo], query: str) -> list[ProfileInfo]:
    """The filter of `--list WORDS`, the picker and the lab switcher (labextension/src/filter.ts says the same):
    the rows whose name holds every word of `query`, ignoring case."""
    words = query.lower().split()
    if not words:
        return list(rows)
    return [row for row in rows if all(word in row.name.lower() for word in words)]


class Listing:
    """Every profile's row for one reading of the config files, and the JSON the lab extension gets."""

    def __init__(self, rows: list[ProfileInfo]) -> None:
        self.rows = rows
        self.switchable = [row for row in rows if row.switchable]
        self._public: dict[bool, list[ProfileRow]] = {}

    @classmethod
    def read(cls, store: ProfileStore, profiles: Mapping[str, Profile]) -> Listing:
        """Rows for `profiles` as `store` last loaded them, sorted by name."""
        with bulk():
            return cls([_row(store, name, profile) for name, profile in sorted(profiles.items())])

    def public(self, switchable: bool = False) -> list[ProfileRow]:
        """Every row (or every switchable one) as JSON-ready data, built once: lists of 5,000 are common."""
        if switchable not in self._public:
            self._public[switchable] = [row.public() for row in (self.switchable if switchable else self.rows)]
        return self._public[switchable]


def _row(store: ProfileStore, name: str, profile: Profile) -> ProfileInfo:
    source, mfa, problem = "", bool(profile.mfa_serial), ""
    if profile.role_arn and profile.kind == "role":
        try:
            plan = store.plan_loaded(name)
            source, mfa = plan.source_label, plan.needs_mfa
        except AwsRoleError as exc:
            problem = str(exc)
    elif profile.is_source:
        source = profile.description
        try:
            check_sso(profile)
        except AwsRoleError as exc:
            problem = str(exc)
    return ProfileInfo(name, profile.kind, profile.role_arn or "", source, mfa, profile.region or "", problem)
