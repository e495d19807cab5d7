"""What a switch is given besides the profile, declared once: the options, their help and their checks.

The magic's flags, the keywords of `assume()` and `role()`, the comm's assume request and the validation
all come from `Options`; each front end only says a field its own way (`--duration`, `duration=`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import AwsRoleError

MIN_DURATION, MAX_DURATION = 900, 43200  # AWS's bounds on an AssumeRole session, in seconds
REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d+")  # eu-west-1, us-gov-west-1, cn-north-1

Check = Callable[[str, Any], Any]


def _duration(name: str, value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise AwsRoleError(f"{name} must be a whole number of seconds, not '{value}'.", field=name) from None
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise AwsRoleError(
            f"{name} must be between {MIN_DURATION} and {MAX_DURATION} seconds, not {seconds}.", field=name
        )
    return seconds


def _region(name: str, value: Any) -> str:
    if isinstance(value, str) and len(value) <= 50 and REGION.fullmatch(value):
        return value
    shown = _shown(value) if isinstance(value, str) else type(value).__name__
    raise AwsRoleError(f"{name} must look like eu-west-1, not {shown}.", field=name)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AwsRoleError(f"{name} needs a value.", field=name)
    return value


def _switch(name: str, value: Any) -> bool:
    return bool(value)


def _shown(value: str, limit: int = 40) -> str:
    """A user's value quoted for a one-line message: escapes made visible, long ones cut."""
    text = repr(value[:limit])
    return text if len(value) <= limit else text + "..."


def _option(help: str, check: Check, metavar: str | None = None, default: Any = None) -> Any:
    return field(default=default, metadata={"help": help, "check": check, "metavar": metavar})


@dataclass(frozen=True)
class Options:
    """Per-call options of a switch; all but `refresh` apply to the last hop of the chain only."""

    region: str | None = _option("Region to set instead of the profile's.", _region)
    duration: int | None = _option(f"Session length ({MIN_DURATION}-{MAX_DURATION}).", _duration, "SECONDS")
    session_name: str | None = _option("RoleSessionName to use.", _text, "NAME")
    external_id: str | None = _option("ExternalId to send.", _text, "ID")
    source_profile: str | None = _option(
        "With a role ARN: the profile whose credentials assume it (default: the active role).", _text, "PROFILE"
    )
    refresh: bool = _option("Ignore the cached session and assume again.", _switch, default=False)

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> Options:
        """Checked options from what a front end was given; an AwsRoleError naming the first bad field."""
        unknown = sorted(set(values) - set(NAMES))
        if unknown:
            raise TypeError(f"unexpected option {unknown[0]!r}; the options are {', '.join(NAMES)}")
        return cls(
            **{
                spec.name: spec.check(spec.name, values[spec.name])
                for spec in SPECS
                if values.get(spec.name) is not None
            }
        )

    @staticmethod
    def pick(namespace: Mapping[str, Any]) -> dict[str, Any]:
        """The option fields found in `namespace` (parsed arguments, a request, a function's locals)."""
        return {name: namespace[name] for name in NAMES if name in namespace}


@dataclass(frozen=True)
class OptionSpec:
    """One field of Options as front ends present it."""

    name: str
    help: str
    check: Check
    metavar: str | None
    default: Any

    @property
    def flag(self) -> str:
        """The magic's spelling: `--session-name` for `session_name`."""
        return "--" + self.name.replace("_", "-")

    @property
    def switch(self) -> bool:
        """Whether the option takes no value (a flag that is on or off)."""
        return isinstance(self.default, bool)


SPECS = tuple(
    OptionSpec(f.name, f.metadata["help"], f.metadata["check"], f.metadata["metavar"], f.default)
    for f in fields(Options)
)
NAMES = tuple(spec.name for spec in SPECS)


class Code(str):
    """An MFA code a front end was given up front: a str whose repr hides it, for verbose tracebacks."""

    def __repr__(self) -> str:
        return "Code(****)"
