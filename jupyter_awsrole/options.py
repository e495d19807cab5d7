"""What a switch is given besides the profile, declared once: the options, their help and their checks.

The magic's flags, the keywords of `assume()` and `role()`, the comm's assume request and the validation
all come from `Options`; each front end only says a field its own way (`--duration`, `duration=`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import AwsRoleError

MIN_DURATION, MAX_DURATION = 900, 43200  # AWS's bounds on an AssumeRole session, in seconds
REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d+")  # eu-west-1, us-gov-west-1, cn-north-1
# AWS's limits on what narrows an AssumeRole session (the STS API reference).
MAX_POLICY_CHARS = 2048  # an inline session policy, without its whitespace
MAX_POLICY_FILE_BYTES = 64 * 1024  # a policy file larger than this is surely not one
MAX_POLICY_ARNS, MAX_TAGS = 10, 50
POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,1024}")
TAG_TEXT = re.compile(r"[\w .:/=+@-]*")  # letters, digits, spaces and _.:/=+-@ (AWS's tag alphabet)
MAX_TAG_KEY, MAX_TAG_VALUE = 128, 256
SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}")
NARROWING = ("policy_arns", "policy", "tags", "source_identity")  # the fields that narrow a session

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


def _texts(name: str, value: Any) -> tuple[str, ...]:
    """One text or several: a keyword may be given a str or a list, the magic's repeated flag gives a list."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise AwsRoleError(f"{name} must be a string or a list of strings, not {type(value).__name__}.", field=name)
    return tuple(items)


def _policy_arns(name: str, value: Any) -> tuple[str, ...]:
    arns = tuple(dict.fromkeys(arn.strip() for arn in _texts(name, value)))
    if len(arns) > MAX_POLICY_ARNS:
        raise AwsRoleError(f"{name} takes at most {MAX_POLICY_ARNS} policies, not {len(arns)}.", field=name)
    for arn in arns:
        if not POLICY_ARN.fullmatch(arn):
            raise AwsRoleError(
                f"{name} must look like arn:aws:iam::123456789012:policy/NAME, not {_shown(arn)}.", field=name
            )
    return arns


def _policy(name: str, value: Any) -> str:
    """An inline session policy from a dict, JSON text (starting with `{`) or the path of a JSON file;
    kept as compact JSON text, so renewals send the very policy the switch was given."""
    if isinstance(value, Mapping):
        document: Any = value
    elif isinstance(value, (str, os.PathLike)):
        text = str(os.fspath(value))
        if not text.lstrip().startswith("{"):
            text = _read_policy_file(name, text)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AwsRoleError(f"{name} is not valid JSON ({exc.msg}, line {exc.lineno}).", field=name) from None
    else:
        raise AwsRoleError(f"{name} must be a file path, JSON text or a dict, not {type(value).__name__}.", field=name)
    if not isinstance(document, Mapping) or "Statement" not in document:
        raise AwsRoleError(f"{name} must be a policy document: a JSON object with a Statement.", field=name)
    try:
        packed = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise AwsRoleError(f"{name} cannot be written as JSON ({exc}).", field=name) from None
    if len(packed) > MAX_POLICY_CHARS:
        raise AwsRoleError(
            f"{name} is {len(packed)} characters without spaces; AWS takes at most {MAX_POLICY_CHARS}.", field=name
        )
    return packed


def _read_policy_file(name: str, path: str) -> str:
    try:
        with open(os.path.expanduser(path), "rb") as handle:
            data = handle.read(MAX_POLICY_FILE_BYTES + 1)
    except OSError as exc:
        raise AwsRoleError(f"{name} file {_shown(path)} cannot be read ({exc.strerror}).", field=name) from None
    if len(data) > MAX_POLICY_FILE_BYTES:
        raise AwsRoleError(f"{name} file {_shown(path)} is too large for a policy.", field=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AwsRoleError(f"{name} file {_shown(path)} is not UTF-8 text.", field=name) from None


def _tags(name: str, value: Any) -> tuple[tuple[str, str], ...]:
    """Session tags from K=V texts, a dict, or [key, value] pairs; AWS's limits checked here."""
    if isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise AwsRoleError(f"{name} must be K=V, a list of them or a dict, not {type(value).__name__}.", field=name)
        pairs = [_pair(name, item) for item in items]
    if len(pairs) > MAX_TAGS:
        raise AwsRoleError(f"{name} takes at most {MAX_TAGS} tags, not {len(pairs)}.", field=name)
    seen: set[str] = set()
    for key, tag_value in pairs:
        if not isinstance(key, str) or not isinstance(tag_value, str):
            raise AwsRoleError(f"{name} keys and values must be strings.", field=name)
        if not 1 <= len(key) <= MAX_TAG_KEY or not TAG_TEXT.fullmatch(key) or key.lower().startswith("aws:"):
            raise AwsRoleError(
                f"{name} key {_shown(key)} must be 1-{MAX_TAG_KEY} letters, digits, spaces or _.:/=+-@"
                " and not start with aws:.",
                field=name,
            )
        if len(tag_value) > MAX_TAG_VALUE or not TAG_TEXT.fullmatch(tag_value):
            raise AwsRoleError(
                f"{name} value of {_shown(key)} must be at most {MAX_TAG_VALUE} letters, digits, spaces or _.:/=+-@.",
                field=name,
            )
        if key.lower() in seen:  # AWS compares tag keys without case
            raise AwsRoleError(f"{name} key {_shown(key)} is given twice.", field=name)
        seen.add(key.lower())
    return tuple(pairs)


def _pair(name: str, item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        key, equals, tag_value = item.partition("=")
        if equals:
            return key, tag_value
        raise AwsRoleError(f"{name} must be KEY=VALUE, not {_shown(item)}.", field=name)
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return item[0], item[1]
    raise AwsRoleError(f"{name} must be KEY=VALUE, not {type(item).__name__}.", field=name)


def _source_identity(name: str, value: Any) -> str:
    if isinstance(value, str) and SOURCE_IDENTITY.fullmatch(value) and not value.lower().startswith("aws:"):
        return value
    shown = _shown(value) if isinstance(value, str) else type(value).__name__
    raise AwsRoleError(
        f"{name} must be 2-64 letters, digits or _+=,.@- and not start with aws:, not {shown}.", field=name
    )


def _shown(value: str, limit: int = 40) -> str:
    """A user's value quoted for a one-line message: escapes made visible, long ones cut."""
    text = repr(value[:limit])
    return text if len(value) <= limit else text + "..."


def _option(
    help: str,
    check: Check,
    metavar: str | None = None,
    default: Any = None,
    flag: str | None = None,
    accepts: str | None = None,
) -> Any:
    """A field of Options; `flag` when the magic's flag is not the field's name, `accepts` when the keyword
    takes more shapes than the checked field holds (a str or a list for a tuple)."""
    metadata = {"help": help, "check": check, "metavar": metavar, "flag": flag, "accepts": accepts}
    return field(default=default, metadata=metadata)


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
    # Narrower sessions: session policies, tags and a source identity, sent with the last AssumeRole call.
    policy_arns: tuple[str, ...] | None = _option(
        "A managed policy that narrows the session (repeat for up to 10).",
        _policy_arns,
        "ARN",
        flag="--policy-arn",
        accepts="str | Sequence[str] | None",
    )
    policy: str | None = _option(
        "A JSON file of an inline session policy that narrows the session.",
        _policy,
        "FILE",
        accepts="str | os.PathLike[str] | Mapping[str, Any] | None",
    )
    tags: tuple[tuple[str, str], ...] | None = _option(
        "A session tag KEY=VALUE (repeat for up to 50).",
        _tags,
        "KEY=VALUE",
        flag="--tag",
        accepts="str | Sequence[str] | Mapping[str, str] | None",
    )
    source_identity: str | None = _option("SourceIdentity to set on the session.", _source_identity, "NAME")

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

    @property
    def narrowing(self) -> str:
        """What narrows the session, said briefly (never the policy text): '' when nothing does."""
        parts = []
        policies = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in self._policy_counts() if n]
        if policies:
            parts.append("session policy: " + ", ".join(policies))
        if self.tags:
            parts.append(f"{len(self.tags)} tag{'' if len(self.tags) == 1 else 's'}")
        if self.source_identity:
            parts.append(f"source identity {self.source_identity}")
        return "; ".join(parts)

    def _policy_counts(self) -> list[tuple[int, str]]:
        return [(1 if self.policy else 0, "inline"), (len(self.policy_arns or ()), "ARN")]

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
    named: str | None = None  # the magic's flag when it is not the field's name
    accepts: str | None = None  # the keyword's type hint when wider than the field's
    repeated: bool = False  # the field holds a tuple: the magic takes the flag several times

    @property
    def flag(self) -> str:
        """The magic's spelling: `--session-name` for `session_name`, `--tag` (repeated) for `tags`."""
        return self.named or "--" + self.name.replace("_", "-")

    @property
    def switch(self) -> bool:
        """Whether the option takes no value (a flag that is on or off)."""
        return isinstance(self.default, bool)


SPECS = tuple(
    OptionSpec(
        f.name,
        f.metadata["help"],
        f.metadata["check"],
        f.metadata["metavar"],
        f.default,
        f.metadata["flag"],
        f.metadata["accepts"],
        str(f.type).startswith("tuple["),
    )
    for f in fields(Options)
)
NAMES = tuple(spec.name for spec in SPECS)


class Code(str):
    """An MFA code a front end was given up front: a str whose repr hides it, for verbose tracebacks."""

    def __repr__(self) -> str:
        return "Code(****)"
