"""A sign-in link to the AWS console as the active role, from the federation endpoint (getSigninToken, login)."""

from __future__ import annotations

import datetime as _dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .credentials import RoleState, utcnow
from .errors import AwsRoleError
from .settings import AWS_SIGNIN_URL

if TYPE_CHECKING:
    from .profiles import Plan
    from .settings import AwsRole

LINK_SECONDS = 900  # AWS: the login URL works for 15 minutes after getSigninToken
MIN_SESSION, MAX_SESSION = 900, 43200  # SessionDuration bounds of getSigninToken
CHAINED_MAX_SESSION = 3600  # a role assumed with temporary credentials gets a console session of one hour at most
ISSUER = "jupyter-awsrole"
MAX_ANSWER = 65536

# partition -> (sign-in host, console host), as the AWS CLI's `aws signin` has them
PARTITIONS = {
    "aws": ("signin.aws.amazon.com", "console.aws.amazon.com"),
    "aws-cn": ("signin.amazonaws.cn", "console.amazonaws.cn"),
    "aws-us-gov": ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
}
SERVICE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

NO_ROLE = "No role is active: switch to one first (%awsrole PROFILE), then open the console."


@dataclass(frozen=True)
class ConsoleLink:
    """A console sign-in: `url` is a credential for 15 minutes, so no repr or str ever shows it."""

    url: str = field(repr=False)
    profile: str
    destination: str
    expires_at: str  # UTC, like 2026-01-31T12:00:00Z

    def __repr__(self) -> str:
        return f"ConsoleLink(profile={self.profile!r}, destination={self.destination!r}, expires_at={self.expires_at})"

    __str__ = __repr__


def partition_of(state: RoleState) -> str:
    """The partition of the session's ARN (aws, aws-cn, aws-us-gov); aws when unreadable."""
    parts = state.session_arn.split(":")
    return parts[1] if len(parts) > 2 and parts[1] in PARTITIONS else "aws"


def federation_kind(state: RoleState) -> str:
    """'role' for a role session, 'federated' for GetFederationToken's; AwsRoleError (one line) for the rest."""
    name = state.profile
    if not state.credentials.session_token:
        raise AwsRoleError(
            f"Profile '{name}' has long-term access keys; AWS signs in to the console only with a role's "
            "temporary credentials: switch to a profile with role_arn, then open the console."
        )
    resource = state.session_arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return "role"
    if resource.startswith("federated-user/"):
        return "federated"
    raise AwsRoleError(
        f"Profile '{name}' runs on session credentials of an IAM user (GetSessionToken), which the AWS console "
        "does not accept: switch to a profile with role_arn, then open the console."
    )


def role_chained(plan: Plan | None) -> bool:
    """Whether the last role was assumed with temporary credentials (a role chain, an MFA session, SSO):
    unknown counts as chained, the shorter console session."""
    if plan is None:
        return True
    if len(plan.hops) > 1:
        return True
    if not plan.hops:
        return False  # the profile's own session (SSO, web identity): nothing was assumed with it
    root = plan.root
    if root is None:
        return False  # credential_source: an instance's or container's role, which AWS does not count as a chain
    return not (root.kind == "keys" and not root.get("aws_session_token"))


def session_duration(state: RoleState, kind: str, chained: bool, now: _dt.datetime | None = None) -> int | None:
    """The SessionDuration to ask for: the credentials' time left, within what AWS allows; None to let AWS decide
    (GetFederationToken's credentials take none; under 15 minutes is below AWS's minimum)."""
    if kind != "role" or state.long_term:  # long_term: a session token of a config file, its expiry unknown
        return None
    seconds = int(state.seconds_left(now))
    if seconds < MIN_SESSION:
        return None
    return min(seconds, CHAINED_MAX_SESSION if chained else MAX_SESSION)


def endpoint_for(configured: str, partition: str) -> str:
    """The federation endpoint: the setting, or AWS's own of the session's partition while it is AWS's default."""
    if configured.rstrip("/") == AWS_SIGNIN_URL:
        return f"https://{PARTITIONS[partition][0]}/federation"
    return configured


def destination(state: RoleState, service: str | None) -> str:
    """The console page to land on: the home page, or SERVICE's page in the role's region."""
    host = PARTITIONS[partition_of(state)][1]
    if service is None:
        return f"https://{host}/"
    name = service.strip().lower()
    if not SERVICE.fullmatch(name):
        raise AwsRoleError("service must be a console service name such as s3, ec2 or cloudwatch.", field="service")
    query = f"?region={urllib.parse.quote(state.region)}" if state.region else ""
    return f"https://{host}/{name}/home{query}"


def check_signin_url(url: str) -> str:
    """A federation endpoint credentials may be sent to: https, or plain http on this machine only."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise AwsRoleError("signin_url must be an https:// URL (or http:// on 127.0.0.1 for a local stand-in).")


def console_link(
    state: RoleState, plan: Plan | None, settings: AwsRole, service: str | None = None, now: _dt.datetime | None = None
) -> ConsoleLink:
    """Trade the state's credentials for a sign-in token and build the login URL (one HTTP call, no lock held)."""
    kind = federation_kind(state)
    landing = destination(state, service)
    endpoint = check_signin_url(endpoint_for(settings.signin_url, partition_of(state)))
    issued = now or utcnow()
    creds = state.credentials
    query = {
        "Action": "getSigninToken",
        "Session": json.dumps(
            {
                "sessionId": creds.access_key_id,
                "sessionKey": creds.secret_access_key,
                "sessionToken": creds.session_token,
            }
        ),
    }
    duration = session_duration(state, kind, role_chained(plan), issued)
    if duration is not None:
        query["SessionDuration"] = str(duration)
    token = _signin_token(endpoint, urllib.parse.urlencode(query), state.profile, settings.sts_read_timeout)
    login = urllib.parse.urlencode({"Action": "login", "Issuer": ISSUER, "Destination": landing, "SigninToken": token})
    expires = issued + _dt.timedelta(seconds=LINK_SECONDS)
    return ConsoleLink(f"{endpoint}?{login}", state.profile, landing, expires.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _signin_token(endpoint: str, query: str, profile: str, timeout: float) -> str:
    """getSigninToken's answer; every failure is one line naming the endpoint, never the request (it holds keys)."""
    host = urllib.parse.urlsplit(endpoint).hostname
    opener = _opener(host)
    failure: str | None = None
    try:
        with opener.open(urllib.request.Request(f"{endpoint}?{query}"), timeout=timeout) as answer:
            body = answer.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        failure = (
            f"The AWS sign-in endpoint at {host} refused the credentials of profile '{profile}' (HTTP {exc.code}): "
            "it takes role sessions only, and a role chain's for an hour at most."
            if exc.code in (400, 401, 403)
            else f"The AWS sign-in endpoint at {host} failed (HTTP {exc.code}); try again."
        )
        exc.close()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        failure = (
            f"Cannot reach the AWS sign-in endpoint at {host}: {type(reason).__name__}. "
            "Check the network or AwsRole.signin_url."
        )
    if failure is not None:
        raise AwsRoleError(failure)  # outside the except: the request's URL (with the keys) stays behind
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        raise AwsRoleError(f"The AWS sign-in endpoint at {host} gave no sign-in token.")
    return token


def _opener(host: str | None) -> urllib.request.OpenerDirector:
    """Loopback stand-ins are reached directly; AWS through the proxy the environment names, if any."""
    if host in LOOPBACK_HOSTS:
        from .loopback import DIRECT

        return DIRECT
    return urllib.request.build_opener()
