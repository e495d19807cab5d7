"""Role trust policy evaluation as AWS does it for sts:AssumeRole (the parts moto skips)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_ASSUMED_ROLE = re.compile(r"^arn:(?P<partition>[^:]+):sts::(?P<account>\d+):assumed-role/(?P<role>[^/]+)/[^/]+$")
_ROLE = re.compile(r"^arn:(?P<partition>[^:]+):iam::(?P<account>\d+):role/(?:.*/)?(?P<role>[^/]+)$")


@dataclass(frozen=True)
class TrustContext:
    """What AWS knows about an AssumeRole request when it evaluates the trust policy."""

    caller_arn: str
    mfa_present: bool
    external_id: str | None
    temporary_credentials: bool = False


def principal_matches(expected: Any, caller_arn: str) -> bool:
    """Whether a Principal's AWS entry names the caller; a role ARN also names that role's sessions."""
    if isinstance(expected, dict):
        expected = expected.get("AWS")
    if expected is None:
        return False
    candidates = [expected] if isinstance(expected, str) else list(expected)
    session = _ASSUMED_ROLE.match(caller_arn)
    for candidate in candidates:
        if candidate in ("*", caller_arn):
            return True
        role = _ROLE.match(candidate)
        if (
            session
            and role
            and session.group("partition", "account", "role") == role.group("partition", "account", "role")
        ):
            return True
    return False


def trust_allows(policy: str | dict, context: TrustContext) -> bool:
    """Whether some Allow statement admits the caller and no Deny statement refuses it."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not _applies(statement, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = True
    return allowed


def _applies(statement: dict, context: TrustContext) -> bool:
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    if not any(re.fullmatch(a.replace("*", ".*"), "sts:AssumeRole", re.IGNORECASE) for a in actions):
        return False
    if not principal_matches(statement.get("Principal"), context.caller_arn):
        return False
    return _conditions_hold(statement.get("Condition", {}), context)


def _conditions_hold(conditions: dict, context: TrustContext) -> bool:
    # Long-term keys carry no MFA key at all; temporary credentials say true or false.
    mfa = "true" if context.mfa_present else ("false" if context.temporary_credentials else None)
    known = {
        "aws:multifactorauthpresent": mfa,
        "sts:externalid": context.external_id,
    }
    for operator, entries in conditions.items():
        compare = _OPERATORS.get(operator)
        if compare is None:
            continue  # operators we do not model are not enforced, as in moto
        for key, expected in entries.items():
            actual = known.get(key.lower())
            values = [expected] if isinstance(expected, str) else list(expected)
            # A key missing from the request fails the condition, as in AWS.
            if actual is None or not any(compare(str(v), actual) for v in values):
                return False
    return True


_OPERATORS = {
    "StringEquals": lambda expected, actual: expected == actual,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
