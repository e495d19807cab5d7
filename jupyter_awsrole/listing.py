"""The profile rows every front end lists, with the one rule for what can be switched to and how a filter matches."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import AwsRoleError
from .profiles import Profile, ProfileStore, bulk, check_sso
from .protocol import ProfileRow

if TYPE_CHECKING:
    from .manager import RoleManager

# A profile's MFA, in the one set of words the switcher, the picker, `--list` and `%awsrole` all show.
CODE_NEEDED = "code needed"
SESSION_OPEN = "session open"
NO_MFA = "no MFA"


def mfa_state(name: str, has_mfa: bool, needs_code: Callable[[str], bool]) -> str:
    """'code needed', 'session open' (an MFA profile a cached session spares the code) or 'no MFA'.

    `needs_code` is RoleManager.needs_code, which knows the open MFA sessions: the one source of the answer."""
    if not has_mfa:
        return NO_MFA
    try:
        return CODE_NEEDED if needs_code(name) else SESSION_OPEN
    except AwsRoleError:  # a broken chain: the row says why; a switch would ask first
        return CODE_NEEDED


def mfa_state_now(manager: RoleManager, name: str) -> str:
    """mfa_state of one profile by name, as `%awsrole` and the picker show it ('' for a profile that cannot be planned)."""
    try:
        has_mfa = manager.plan(name).needs_mfa
    except AwsRoleError:
        return ""
    return mfa_state(name, has_mfa, manager.needs_code)


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
    mfa_state: str = ""  # CODE_NEEDED, SESSION_OPEN or NO_MFA; as of the config until `live()` asks the cache

    @property
    def switchable(self) -> bool:
        """Whether a switch to it can be tried: it names a role or holds credentials (keys, SSO, a process)."""
        return self.kind != "empty"

    def public(self) -> ProfileRow:
        """The row as the lab extension gets it (every field is a str or bool: no deep copy, which cost 5,000 rows
        80 ms)."""
        return ProfileRow({name: getattr(self, name) for name in _FIELDS})

    def live(self, needs_code: Callable[[str], bool]) -> ProfileInfo:
        """The row with its MFA state as of now (`needs_code`: the manager's, which knows the open sessions)."""
        if not self.mfa:
            return self
        return ProfileInfo(**{**self.public(), "mfa_state": mfa_state(self.name, True, needs_code)})


_FIELDS = tuple(f.name for f in dataclasses.fields(ProfileInfo))


class _Unplanned(ProfileInfo):
    """A row whose chain is planned when a field that needs the plan is first read: of 5,000 rows `--list` shows
    200 and the picker only names, and planning every row was most of their first call."""

    _later: tuple[ProfileStore, Profile]

    def __init__(self, store: ProfileStore, profile: Profile) -> None:  # the name now, the rest when read
        vars(self).update(name=profile.name, _later=(store, profile))  # frozen: no setattr

    @functools.cached_property
    def _planned(self) -> ProfileInfo:
        return _row(*self._later)

    def __repr__(self) -> str:
        return repr(self._planned)

    def __eq__(self, other: object) -> bool:  # equal to the ProfileInfo it stands for
        return isinstance(other, ProfileInfo) and self.public() == other.public()

    def __hash__(self) -> int:
        return hash(self._planned)


# Fields read from the profile alone, without a plan: a 5,000-row listing reads them only for the rows shown
# (and `kind` for the switchable ones).
_UNPLANNED = {
    "kind": lambda profile: profile.kind,
    "role_arn": lambda profile: profile.role_arn or "",
    "region": lambda profile: profile.region or "",
}


def _profile_field(read: Callable[[Profile], str]) -> property:
    return property(lambda row: read(row._later[1]))


def _planned_field(name: str) -> property:
    return property(lambda row: getattr(row._planned, name))


for _field in _FIELDS:  # every other field, a field added later included, reads the planned row
    if _field in _UNPLANNED:
        setattr(_Unplanned, _field, _profile_field(_UNPLANNED[_field]))
    elif _field != "name":
        setattr(_Unplanned, _field, _planned_field(_field))


def matching(rows: Iterable[ProfileInfo], query: str) -> list[ProfileInfo]:
    """The filter of `--list WORDS`, the picker and the lab switcher (labextension/src/filter.ts says the same):
    the rows whose name holds every word of `query`, ignoring case."""
    words = query.lower().split()
    if not words:
        return list(rows)
    return [row for row in rows if all(word in row.name.lower() for word in words)]


@dataclass(frozen=True)
class Page:
    """One page of the rows a filter matches (RoleManager.list_page): a front end shows it and says how many more."""

    rows: list[ProfileInfo]
    total: int  # rows matching the filter, on every page
    offset: int

    def public(self) -> list[ProfileRow]:
        """The page's rows as the lab extension gets them."""
        return [row.public() for row in self.rows]


MAX_PAGE = 1000  # a larger page is the whole-list answer again, which the page exists to avoid
MATCHES_KEPT = 16  # filters remembered per listing: a front end's last few keystrokes


def page_bounds(offset: object, limit: object) -> tuple[int, int]:
    """offset and limit of a page as whole numbers in range, or a one-line AwsRoleError naming the field."""
    for field_name, value, low, high in (("offset", offset, 0, None), ("limit", limit, 1, MAX_PAGE)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high and value > high):
            span = f"{low} to {high}" if high else f"{low} or more"
            raise AwsRoleError(f"{field_name} must be a whole number from {span}.", field=field_name)
    return offset, limit  # type: ignore[return-value]  # checked above


class Listing:
    """Every profile's row for one reading of the config files, and the JSON the lab extension gets."""

    def __init__(self, rows: list[ProfileInfo]) -> None:
        self.rows = rows
        self._public: dict[bool, list[ProfileRow]] = {}
        self._matches: dict[tuple[bool, str], list[ProfileInfo]] = {}

    @functools.cached_property
    def switchable(self) -> list[ProfileInfo]:
        """The rows a switch can be tried to (reads every row's kind: only when a front end asks)."""
        return [row for row in self.rows if row.switchable]

    def matching(self, query: str, switchable: bool = False) -> list[ProfileInfo]:
        """matching() of every row (or every switchable one), remembered for this reading of the files: a repeated
        list or a filter typed again does not scan 5,000 names again. Callers must not change the list."""
        key = (switchable, " ".join(query.lower().split()))
        found = self._matches.get(key)
        if found is None:
            if len(self._matches) >= MATCHES_KEPT:
                self._matches.pop(next(iter(self._matches)))
            found = self._matches[key] = matching(self.switchable if switchable else self.rows, query)
        return found

    @classmethod
    def read(cls, store: ProfileStore, profiles: Mapping[str, Profile]) -> Listing:
        """Rows for `profiles` as `store` last loaded them, sorted by name."""
        with bulk():
            return cls([_Unplanned(store, profiles[name]) for name in sorted(profiles)])

    def public(self, switchable: bool = False, needs_code: Callable[[str], bool] | None = None) -> list[ProfileRow]:
        """Every row (or every switchable one) as JSON-ready data, built once: lists of 5,000 are common.

        With `needs_code`, MFA rows say whether a code is needed now (a fresh copy of just those rows), asked once
        per source chain: rows with the same chain share one MFA session (5,000 separate checks take 0.3 s). A
        row's own cached session, or a duration too long for the session, is told when the row is chosen."""
        if switchable not in self._public:
            with bulk():
                self._public[switchable] = [row.public() for row in (self.switchable if switchable else self.rows)]
        rows = self._public[switchable]
        if needs_code is None:
            return rows
        by_chain: dict[str, str] = {}
        live = []
        for row in rows:
            if row["mfa"]:
                chain = row["source"]
                if chain not in by_chain:
                    by_chain[chain] = mfa_state(row["name"], True, needs_code)
                row = ProfileRow({**row, "mfa_state": by_chain[chain]})
            live.append(row)
        return live


def _row(store: ProfileStore, profile: Profile) -> ProfileInfo:
    source, mfa, problem = "", bool(profile.mfa_serial), ""
    if profile.role_arn and profile.kind == "role":
        try:
            plan = store.plan_loaded(profile.name)
            source, mfa = plan.source_label, plan.needs_mfa
        except AwsRoleError as exc:
            problem = str(exc)
    elif profile.is_source:
        source = profile.description
        try:
            check_sso(profile)
        except AwsRoleError as exc:
            problem = str(exc)
    return ProfileInfo(
        profile.name,
        profile.kind,
        profile.role_arn or "",
        source,
        mfa,
        profile.region or "",
        problem,
        CODE_NEEDED if mfa else NO_MFA,
    )
